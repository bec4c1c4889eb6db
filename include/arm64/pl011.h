/* ARM PrimeCell UART (PL011) registers: what the EL2 console drives and what the device model
 * (src/dev/pl011.c) answers to guests. */
#ifndef GZ_ARCH_PL011_H
#define GZ_ARCH_PL011_H

#define PL011_DR      0x000 /* data */
#define PL011_RSR     0x004 /* receive status / error clear */
#define PL011_FR      0x018 /* flags */
#define PL011_ILPR    0x020 /* IrDA low-power counter */
#define PL011_IBRD    0x024 /* integer baud divisor */
#define PL011_FBRD    0x028 /* fractional baud divisor */
#define PL011_LCR_H   0x02c /* line control */
#define PL011_CR      0x030 /* control */
#define PL011_IFLS    0x034 /* FIFO level select */
#define PL011_IMSC    0x038 /* interrupt mask set/clear */
#define PL011_RIS     0x03c /* raw interrupt status */
#define PL011_MIS     0x040 /* masked interrupt status */
#define PL011_ICR     0x044 /* interrupt clear */
#define PL011_DMACR   0x048 /* DMA control */
#define PL011_ID_BASE 0xfe0 /* peripheral and PrimeCell ID registers, 8 words */

#define PL011_FR_BUSY (1U << 3)
#define PL011_FR_RXFE (1U << 4) /* receive FIFO empty */
#define PL011_FR_TXFF (1U << 5) /* transmit FIFO full */
#define PL011_FR_RXFF (1U << 6) /* receive FIFO full */
#define PL011_FR_TXFE (1U << 7) /* transmit FIFO empty */

#define PL011_INT_RX  (1U << 4)
#define PL011_INT_TX  (1U << 5)
#define PL011_INT_RT  (1U << 6) /* receive timeout */
#define PL011_INT_ALL 0x7ffU

#define PL011_LCRH_FEN (1U << 4) /* FIFOs enabled */

#define PL011_CR_UARTEN (1U << 0)
#define PL011_CR_TXE	(1U << 8)
#define PL011_CR_RXE	(1U << 9)

#endif
