/*
 * VBAR_EL2 vector table: all 16 entries save x0-x30 and the syndrome registers into a
 * struct gz_el2_frame on the EL2 stack and call gz_el2_trap(frame, slot) in C. When that
 * returns (a trap someone handled: a lower-EL trap later, the semihosting probe now), the
 * possibly updated ELR/SPSR and registers are restored and the CPU ERETs.
 */
#include "el2.h"

	.macro	ventry slot
	.balign	0x80
	sub	sp, sp, #GZ_FRAME_SIZE
	stp	x0, x1, [sp, #GZ_FRAME_X(0)]
	mov	x1, #\slot
	b	trap_common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.globl	gz_el2_vectors
gz_el2_vectors:
	ventry	GZ_VEC_CUR_SP0_SYNC
	ventry	GZ_VEC_CUR_SP0_IRQ
	ventry	GZ_VEC_CUR_SP0_FIQ
	ventry	GZ_VEC_CUR_SP0_SERR
	ventry	GZ_VEC_CUR_SPX_SYNC
	ventry	GZ_VEC_CUR_SPX_IRQ
	ventry	GZ_VEC_CUR_SPX_FIQ
	ventry	GZ_VEC_CUR_SPX_SERR
	ventry	GZ_VEC_LOW64_SYNC
	ventry	GZ_VEC_LOW64_IRQ
	ventry	GZ_VEC_LOW64_FIQ
	ventry	GZ_VEC_LOW64_SERR
	ventry	GZ_VEC_LOW32_SYNC
	ventry	GZ_VEC_LOW32_IRQ
	ventry	GZ_VEC_LOW32_FIQ
	ventry	GZ_VEC_LOW32_SERR

trap_common:
	stp	x2, x3, [sp, #GZ_FRAME_X(2)]
	stp	x4, x5, [sp, #GZ_FRAME_X(4)]
	stp	x6, x7, [sp, #GZ_FRAME_X(6)]
	stp	x8, x9, [sp, #GZ_FRAME_X(8)]
	stp	x10, x11, [sp, #GZ_FRAME_X(10)]
	stp	x12, x13, [sp, #GZ_FRAME_X(12)]
	stp	x14, x15, [sp, #GZ_FRAME_X(14)]
	stp	x16, x17, [sp, #GZ_FRAME_X(16)]
	stp	x18, x19, [sp, #GZ_FRAME_X(18)]
	stp	x20, x21, [sp, #GZ_FRAME_X(20)]
	stp	x22, x23, [sp, #GZ_FRAME_X(22)]
	stp	x24, x25, [sp, #GZ_FRAME_X(24)]
	stp	x26, x27, [sp, #GZ_FRAME_X(26)]
	stp	x28, x29, [sp, #GZ_FRAME_X(28)]
	add	x2, sp, #GZ_FRAME_SIZE
	stp	x30, x2, [sp, #GZ_FRAME_X(30)]	/* x30, then the SP before the trap */
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #GZ_FRAME_ELR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #GZ_FRAME_ESR]

	mov	x0, sp
	bl	gz_el2_trap

	ldp	x2, x3, [sp, #GZ_FRAME_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x0, x1, [sp, #GZ_FRAME_X(0)]
	ldp	x2, x3, [sp, #GZ_FRAME_X(2)]
	ldp	x4, x5, [sp, #GZ_FRAME_X(4)]
	ldp	x6, x7, [sp, #GZ_FRAME_X(6)]
	ldp	x8, x9, [sp, #GZ_FRAME_X(8)]
	ldp	x10, x11, [sp, #GZ_FRAME_X(10)]
	ldp	x12, x13, [sp, #GZ_FRAME_X(12)]
	ldp	x14, x15, [sp, #GZ_FRAME_X(14)]
	ldp	x16, x17, [sp, #GZ_FRAME_X(16)]
	ldp	x18, x19, [sp, #GZ_FRAME_X(18)]
	ldp	x20, x21, [sp, #GZ_FRAME_X(20)]
	ldp	x22, x23, [sp, #GZ_FRAME_X(22)]
	ldp	x24, x25, [sp, #GZ_FRAME_X(24)]
	ldp	x26, x27, [sp, #GZ_FRAME_X(26)]
	ldp	x28, x29, [sp, #GZ_FRAME_X(28)]
	ldr	x30, [sp, #GZ_FRAME_X(30)]
	add	sp, sp, #GZ_FRAME_SIZE
	eret

	.section .note.GNU-stack, "", %progbits
