/* mmio: loads and stores of every size to the platform's scratch device, including the
 * sign-extending loads into W and X registers and load-acquire/store-release. */
#include "common/guest.h"

#define D TESTDEV_BASE

void guest_main(unsigned cpu)
{
	uint64_t x;
	uint32_t wv;

	(void)cpu;
	w64(D + 0x00, 0x1122334455667788UL);
	printf_("r64 %lx\n", r64(D + 0x00));
	printf_("r32 %x r32+4 %x\n", r32(D + 0x00), r32(D + 0x04));
	printf_("r16 %x r8 %x\n", r16(D + 0x02), r8(D + 0x07));
	w32(D + 0x08, 0xdeadbeef);
	w16(D + 0x0c, 0x8001);
	w8(D + 0x0e, 0x80);
	w8(D + 0x0f, 0x7f);
	printf_("r64 +8 %lx\n", r64(D + 0x08));
	__asm__ volatile("ldrsb %0, [%1]" : "=r"(x) : "r"(D + 0x0e));
	printf_("ldrsb x %lx\n", x);
	__asm__ volatile("ldrsb %w0, [%1]" : "=r"(wv) : "r"(D + 0x0e));
	printf_("ldrsb w %x\n", wv);
	__asm__ volatile("ldrsh %0, [%1]" : "=r"(x) : "r"(D + 0x0c));
	printf_("ldrsh x %lx\n", x);
	__asm__ volatile("ldrsh %w0, [%1]" : "=r"(wv) : "r"(D + 0x0c));
	printf_("ldrsh w %x\n", wv);
	__asm__ volatile("ldrsw %0, [%1]" : "=r"(x) : "r"(D + 0x08));
	printf_("ldrsw x %lx\n", x);
	__asm__ volatile("ldrsb %0, [%1]" : "=r"(x) : "r"(D + 0x0f));
	printf_("ldrsb x positive %lx\n", x);
	__asm__ volatile("stlr %0, [%1]" ::"r"(0xcafef00dUL), "r"(D + 0x10) : "memory");
	__asm__ volatile("ldar %0, [%1]" : "=r"(x) : "r"(D + 0x10));
	printf_("ldar after stlr %lx\n", x);
	__asm__ volatile("str xzr, [%0]" ::"r"(D + 0x10) : "memory");
	printf_("after str xzr %lx\n", r64(D + 0x10));
	__asm__ volatile("ldur %w0, [%1, #-1]" : "=r"(wv) : "r"(D + 0x0d));
	printf_("ldur w unaligned-offset %x\n", wv);
	__asm__ volatile("ldr %0, [%1, %2]" : "=r"(x) : "r"(D), "r"(8UL));
	printf_("ldr register offset %lx\n", x);
}
