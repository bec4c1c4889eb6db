/* The test guests' small runtime: console on the PL011, formatted output, PSCI calls,
 * system registers, exception hooks and a GICv3 driver (distributor + redistributors). */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gzabi/guest_calls.h"

#define UART_BASE    0x09000000UL
#define GICD_BASE    0x08000000UL
#define GICR_BASE    0x080A0000UL
#define GICR_STRIDE  0x20000UL
#define TESTDEV_BASE 0x0b000000UL /* scratch register file (gzvmm --testdev, test mode) */
#define RAM_BASE     0x40000000UL

/* The PSCI calls the guests make, by short names (the ids are the ABI header's) */
#define PSCI_VERSION	GZ_PSCI_VERSION
#define PSCI_CPU_OFF	GZ_PSCI_CPU_OFF
#define PSCI_CPU_ON	GZ_PSCI_CPU_ON_64
#define PSCI_SYSTEM_OFF GZ_PSCI_SYSTEM_OFF
#define PSCI_FEATURES	GZ_PSCI_FEATURES

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb()		   __asm__ volatile("isb" ::: "memory")
#define dsb()		   __asm__ volatile("dsb sy" ::: "memory")

struct frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

enum vec_kind {
	VEC_CUR_SP0_SYNC = 0,
	VEC_CUR_SPX_SYNC = 4,
	VEC_CUR_SPX_IRQ = 5,
	VEC_LOW_SYNC = 8,
	VEC_LOW_IRQ = 9,
};

/* x0 at the boot CPU's entry (the device tree's address for a raw image or an arm64 Image). */
extern uint64_t guest_boot_x0;

/* Provided by each guest. */
void guest_main(unsigned cpu);
/* Optional hooks (weak defaults report and power off). */
void guest_sync(struct frame *f, unsigned kind);
void guest_irq(unsigned intid);

/* For guests that probe: a data abort taken from EL1 is counted in guest_dabts and the
 * access skipped (its destination keeps what it held); any other exception powers off. */
extern volatile unsigned guest_dabts;
void guest_count_dabt(struct frame *f, unsigned kind);
/* "<what>: <r>", a call's status as the attack guests print it. */
void print_status(const char *what, int64_t r);
void putc_(char c);
void puts_(const char *s);
void printf_(const char *fmt, ...);
uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
__attribute__((noreturn)) void system_off(void);
void spin_lock(volatile uint32_t *l);
void spin_unlock(volatile uint32_t *l);
unsigned cpu_index(void);
extern void secondary_entry(void);

/* mmio */
static inline void w8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}
static inline void w16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}
static inline void w32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline void w64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}
static inline uint8_t r8(uint64_t a)
{
	return *(volatile uint8_t *)a;
}
static inline uint16_t r16(uint64_t a)
{
	return *(volatile uint16_t *)a;
}
static inline uint32_t r32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}
static inline uint64_t r64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

/* GICv3 */
void gic_init_dist(void);
void gic_init_cpu(unsigned cpu);
void gic_enable_ppi(unsigned cpu, unsigned intid, uint8_t prio);
void gic_send_sgi(unsigned intid, unsigned target_cpu);
unsigned gic_ack(void);
void gic_eoi(unsigned intid);
static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}
static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}
/* Wait in WFI until @cond holds, with IRQs masked around the check so that an interrupt
 * arriving between the check and the WFI still ends the WFI (it is pending) instead of being
 * taken before it and leaving the WFI to sleep on; each is taken once IRQs are unmasked. */
#define wfi_until(cond)                                                                            \
	do {                                                                                       \
		irq_disable();                                                                     \
		while (!(cond)) {                                                                  \
			wfi();                                                                     \
			irq_enable();                                                              \
			isb();                                                                     \
			irq_disable();                                                             \
		}                                                                                  \
		irq_enable();                                                                      \
	} while (0)

#endif
