/* ARM PrimeCell UART (PL011) register offsets and fields used by the EL2 console. */
#ifndef GZ_ARCH_PL011_H
#define GZ_ARCH_PL011_H

#define PL011_DR 0x000 /* data */
#define PL011_FR 0x018 /* flags */
#define PL011_CR 0x030 /* control */

#define PL011_FR_BUSY (1U << 3)
#define PL011_FR_TXFF (1U << 5) /* transmit FIFO full */

#define PL011_CR_UARTEN (1U << 0)
#define PL011_CR_TXE	(1U << 8)

#endif
