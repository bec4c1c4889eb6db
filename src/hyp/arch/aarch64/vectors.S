/*
 * VBAR_EL2 vector table. A trap from a lower EL while this CPU has a vCPU loaded saves the
 * guest's x0-x30, PC and PSTATE straight into that vCPU's context (the one copy the trap
 * makes of them) and calls gz_el2_guest_trap(ctx, slot); when that returns (the core
 * completed the exit on its fast path), the guest continues from its context. Every other
 * trap saves x0-x30 and the syndrome registers into a struct gz_el2_frame on the EL2 stack
 * and calls gz_el2_trap(frame, slot); when that returns (the semihosting probe), the
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

	/* A lower EL: the same start, then trap_lower looks for a loaded vCPU. */
	.macro	ventry_lower slot
	.balign	0x80
	sub	sp, sp, #GZ_FRAME_SIZE
	stp	x0, x1, [sp, #GZ_FRAME_X(0)]
	mov	x1, #\slot
	b	trap_lower
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
	ventry_lower GZ_VEC_LOW64_SYNC
	ventry_lower GZ_VEC_LOW64_IRQ
	ventry_lower GZ_VEC_LOW64_FIQ
	ventry_lower GZ_VEC_LOW64_SERR
	ventry_lower GZ_VEC_LOW32_SYNC
	ventry_lower GZ_VEC_LOW32_IRQ
	ventry_lower GZ_VEC_LOW32_FIQ
	ventry_lower GZ_VEC_LOW32_SERR

/* x0, x1 are in the frame's first slots, x1 = the slot. */
trap_lower:
	mrs	x0, tpidr_el2
	cbz	x0, trap_common			/* no per-CPU data yet */
	ldr	x0, [x0, #GZ_PERCPU_GUEST]
	cbz	x0, trap_common			/* no vCPU loaded */
	x2_x29 stp, x0			/* x0-x30 are the context's first words */
	str	x30, [x0, #GZ_FRAME_X(30)]
	ldp	x2, x3, [sp, #GZ_FRAME_X(0)]
	stp	x2, x3, [x0, #GZ_FRAME_X(0)]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #GZ_CTX_PC]	/* pc, then pstate */
	add	sp, sp, #GZ_FRAME_SIZE
	mov	x19, x0				/* callee-saved: the context across the call */
	bl	gz_el2_guest_trap		/* returns only when the exit is complete */

	ldp	x2, x3, [x19, #GZ_CTX_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	mov	x0, x19
	eret_to_ctx x0

trap_common:
	x2_x29 stp, sp
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
	x2_x29 ldp, sp
	ldr	x30, [sp, #GZ_FRAME_X(30)]
	add	sp, sp, #GZ_FRAME_SIZE
	eret

	.section .note.GNU-stack, "", %progbits
