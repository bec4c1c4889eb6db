/* Arm semihosting (AArch64 "HLT #0xF000" convention): the calls gzhyp makes to its debugger
 * or emulator, i.e. reporting its exit status to QEMU (-semihosting). */
#ifndef GZ_ARCH_SEMIHOST_H
#define GZ_ARCH_SEMIHOST_H

#define SEMIHOST_HLT_IMM		      0xf000
#define SEMIHOST_SYS_EXIT_EXTENDED	      0x20 /* x1 -> {reason, subcode} */
#define SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026

#endif
