/* Benchmark guest entry: boot CPU and PSCI CPU_ON'd CPUs (context id = CPU index) get a
 * stack, vectors, FP access and an identity MMU (1 GiB blocks: devices below 1 GiB, RAM
 * write-back cacheable), so the guest runs as a real OS would (caches on). */
	.section .text.boot, "ax"
	.globl _start
_start:
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	b	common_entry

	.globl bench_secondary_entry
bench_secondary_entry:
	b	common_entry

common_entry:
	mov	x20, x0
	adrp	x1, __stacks_end
	add	x1, x1, :lo12:__stacks_end
	lsl	x2, x20, #14
	sub	sp, x1, x2
	adrp	x1, bench_vectors
	add	x1, x1, :lo12:bench_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	/* MAIR: attr0 Device-nGnRnE, attr1 Normal WB RA/WA */
	mov	x1, #0xff00
	msr	mair_el1, x1
	/* TCR: T0SZ=32 (4 GiB, walk starts at level 1), inner/outer WB, inner shareable,
	 * 4K granule, TTBR1 walks disabled, IPS 40 bits */
	ldr	x1, =(32 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
	msr	tcr_el1, x1
	adrp	x1, bench_l1_table
	add	x1, x1, :lo12:bench_l1_table
	msr	ttbr0_el1, x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x1, sctlr_el1
	orr	x1, x1, #(1 << 0)	/* M */
	orr	x1, x1, #(1 << 2)	/* C */
	orr	x1, x1, #(1 << 12)	/* I */
	msr	sctlr_el1, x1
	isb
	mov	x0, x20
	bl	bench_cpu_main
3:	wfi
	b	3b

	/* Level-1 table: [0,1G) device block, [1G,2G) normal RAM block, AF set. */
	.section .data.pgtable, "aw"
	.balign 4096
bench_l1_table:
	.quad	0x0000000000000401
	.quad	0x0000000040000705
	.quad	0
	.quad	0

/* Vectors: IRQs from the current EL go to bench_irq(); anything else is unexpected. */
	.macro	vent kind
	.balign	0x80
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	vec_common
	.endm

	.text
vec_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x30, x1, [sp, #160]
	str	x2, [sp, #176]
	cmp	x0, #5
	b.ne	1f
	bl	bench_irq
	b	2f
1:	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	bench_unexpected
2:	ldr	x2, [sp, #176]
	ldp	x30, x1, [sp, #160]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	add	sp, sp, #192
	eret

	.balign	0x800
	.globl	bench_vectors
bench_vectors:
	vent	0
	vent	1
	vent	2
	vent	3
	vent	4
	vent	5
	vent	6
	vent	7
	vent	8
	vent	9
	vent	10
	vent	11
	vent	12
	vent	13
	vent	14
	vent	15
