/* Guest entry: the boot CPU and every CPU started by PSCI CPU_ON (context id = CPU index)
 * get a stack, the exception vectors and FP/SIMD access, then enter C. */
	.section .text.boot, "ax"
	.globl _start
_start:
	mov	x19, x0			/* DTB: kept in guest_boot_x0 */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	adrp	x1, guest_boot_x0	/* after the BSS is cleared: it may live there */
	str	x19, [x1, :lo12:guest_boot_x0]
	mov	x0, #0
	b	common_entry

	.globl secondary_entry
secondary_entry:
	/* x0 = context id = CPU index */
	b	common_entry

common_entry:
	mov	x20, x0
	adrp	x1, __stacks_end
	add	x1, x1, :lo12:__stacks_end
	lsl	x2, x20, #14
	sub	sp, x1, x2
	adrp	x1, guest_vectors
	add	x1, x1, :lo12:guest_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	mov	x0, x20
	bl	guest_cpu_main
	b	.
