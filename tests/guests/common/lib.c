/* Console, formatting, PSCI and exception dispatch for the test guests. */
#include "guest.h"

static volatile uint32_t console_lock;
uint64_t guest_boot_x0;

void putc_(char c)
{
	/* PL011: wait while the transmit FIFO is full, then write DR. */
	while (r32(UART_BASE + 0x18) & (1u << 5))
		;
	w32(UART_BASE, (uint8_t)c);
}

static void puts_nolock(const char *s)
{
	while (*s)
		putc_(*s++);
}

void puts_(const char *s)
{
	spin_lock(&console_lock);
	puts_nolock(s);
	spin_unlock(&console_lock);
}

static void fmt_num(char **p, char *end, uint64_t v, unsigned base, int width, char pad, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (n < width && *p < end) {
		*(*p)++ = pad;
		width--;
	}
	while (n && *p < end)
		*(*p)++ = tmp[--n];
}

void printf_(const char *fmt, ...)
{
	char buf[256], *p = buf, *end = buf + sizeof(buf) - 1;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt && p < end; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			*p++ = *fmt;
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			fmt_num(&p, end, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			fmt_num(&p, end, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
				width, pad, false);
			break;
		case 'x':
			fmt_num(&p, end, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
				width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s && p < end)
				*p++ = *s++;
			break;
		}
		case 'c':
			*p++ = (char)va_arg(ap, int);
			break;
		default:
			*p++ = *fmt;
			break;
		}
	}
	va_end(ap);
	*p = 0;
	puts_(buf);
}

uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

void system_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	puts_nolock("SYSTEM_OFF returned\n");
	for (;;)
		wfi();
}

void spin_lock(volatile uint32_t *l)
{
	uint32_t tmp, one = 1;

	__asm__ volatile("1: ldaxr %w0, [%1]\n"
			 "   cbnz %w0, 1b\n"
			 "   stxr %w0, %w2, [%1]\n"
			 "   cbnz %w0, 1b\n"
			 : "=&r"(tmp)
			 : "r"(l), "r"(one)
			 : "memory");
}

void spin_unlock(volatile uint32_t *l)
{
	__asm__ volatile("stlr wzr, [%0]" ::"r"(l) : "memory");
}

unsigned cpu_index(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

__attribute__((weak)) void guest_sync(struct frame *f, unsigned kind)
{
	printf_("unexpected exception kind %u ESR %lx FAR %lx ELR %lx\n", kind,
		read_sysreg(esr_el1), read_sysreg(far_el1), f->elr);
	system_off();
}

volatile unsigned guest_dabts;

void guest_count_dabt(struct frame *f, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1);

	if ((esr >> 26) != 0x25) {
		printf_("unexpected exception kind %u ESR %lx\n", kind, esr);
		system_off();
	}
	guest_dabts++;
	f->elr += 4;
}

void print_status(const char *what, int64_t r)
{
	printf_("%s: %ld\n", what, r);
}

__attribute__((weak)) void guest_irq(unsigned intid)
{
	printf_("unexpected interrupt %u\n", intid);
}

void guest_exception(unsigned kind, struct frame *f)
{
	if (kind == VEC_CUR_SPX_IRQ || kind == VEC_LOW_IRQ) {
		for (;;) {
			unsigned intid = gic_ack();

			if (intid >= 1020)
				break;
			guest_irq(intid);
			gic_eoi(intid);
		}
		return;
	}
	guest_sync(f, kind);
}

void guest_cpu_main(unsigned cpu)
{
	guest_main(cpu);
	system_off();
}
