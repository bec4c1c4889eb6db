/* The gdb server's register file (gdb_regs.c): the target description it sends (aarch64
 * core and fpu features as gdb knows them, plus one feature with the EL1 system registers
 * and, read-only, the EL2 controls the core chose for the vCPU) and each register's bytes in
 * a vCPU's context, in that description's numbering. */
#ifndef GZ_SIM_GDB_REGS_H
#define GZ_SIM_GDB_REGS_H

#include <stddef.h>
#include <arm64/cpu_ctx.h>

#define GZ_GDB_REG_SP	31
#define GZ_GDB_REG_PC	32
#define GZ_GDB_REG_CPSR 33
#define GZ_GDB_REG_V0	34
#define GZ_GDB_REG_FPSR 66
#define GZ_GDB_REG_FPCR 67
#define GZ_GDB_REG_SYS0 68

/* How many registers there are; the bytes of register @n (0: no such register). */
unsigned gz_sim_gdb_nr_regs(void);
size_t gz_sim_gdb_reg_size(unsigned n);
/* Register @n of @c, little endian, into @out (gz_sim_gdb_reg_size bytes); its size. */
size_t gz_sim_gdb_reg_read(const struct gz_cpu_ctx *c, unsigned n, uint8_t *out);
/* Write register @n; false for a read-only one, or a PSTATE that changes the mode (the
 * exception level is the guest's to change, through an exception or ERET). */
bool gz_sim_gdb_reg_write(struct gz_cpu_ctx *c, unsigned n, const uint8_t *in);
/* The target description (target.xml); NULL for another annex. */
const char *gz_sim_gdb_tdesc(const char *annex, size_t *len);

#endif
