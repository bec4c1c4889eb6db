/*
 * The world switch's register half: gz_el2_enter_guest keeps the host's callee-saved
 * registers and SP, loads the guest's FP/SIMD (gzhyp's C code is built -mgeneral-regs-only,
 * so no FP/SIMD state of its own needs keeping) and ERETs into the guest with its x0-x30.
 * A trap from the guest lands in the vectors, which save x0-x30 into the vCPU context; the
 * C trap path calls gz_el2_leave_guest, which makes gz_el2_enter_guest return the vector
 * slot on the host's stack as if it were an ordinary call.
 */
#include "el2.h"

	/* Q0-Q31, FPSR, FPCR <-> struct gz_fpsimd at \base (x9 is scratch). */
	.macro	fpsimd_op op, base
	\op	q0, q1, [\base, #0]
	\op	q2, q3, [\base, #32]
	\op	q4, q5, [\base, #64]
	\op	q6, q7, [\base, #96]
	\op	q8, q9, [\base, #128]
	\op	q10, q11, [\base, #160]
	\op	q12, q13, [\base, #192]
	\op	q14, q15, [\base, #224]
	\op	q16, q17, [\base, #256]
	\op	q18, q19, [\base, #288]
	\op	q20, q21, [\base, #320]
	\op	q22, q23, [\base, #352]
	\op	q24, q25, [\base, #384]
	\op	q26, q27, [\base, #416]
	\op	q28, q29, [\base, #448]
	\op	q30, q31, [\base, #480]
	.endm

	.macro	fpsimd_save base
	fpsimd_op stp, \base
	mrs	x9, fpsr
	str	w9, [\base, #GZ_FP_FPSR]
	mrs	x9, fpcr
	str	w9, [\base, #GZ_FP_FPCR]
	.endm

	.macro	fpsimd_load base
	fpsimd_op ldp, \base
	ldr	w9, [\base, #GZ_FP_FPSR]
	msr	fpsr, x9
	ldr	w9, [\base, #GZ_FP_FPCR]
	msr	fpcr, x9
	.endm

	.text
	.balign	16

/* unsigned gz_el2_enter_guest(struct gz_el2_host_save *h, struct gz_cpu_ctx *ctx) */
	.globl	gz_el2_enter_guest
gz_el2_enter_guest:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x3, sp
	str	x3, [x0, #GZ_HOST_SAVE_SP]

	add	x2, x1, #GZ_CTX_FP
	fpsimd_load x2

	eret_to_ctx x1

/* void gz_el2_leave_guest(struct gz_el2_host_save *h, unsigned slot,
 *                         struct gz_fpsimd *guest_fp) */
	.globl	gz_el2_leave_guest
gz_el2_leave_guest:
	fpsimd_save x2
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x4, [x0, #GZ_HOST_SAVE_SP]
	mov	sp, x4
	mov	w0, w1
	ret

/* void gz_el2_fpsimd_save(struct gz_fpsimd *fp) / gz_el2_fpsimd_load(const ... *fp) */
	.globl	gz_el2_fpsimd_save
gz_el2_fpsimd_save:
	fpsimd_save x0
	ret

	.globl	gz_el2_fpsimd_load
gz_el2_fpsimd_load:
	fpsimd_load x0
	ret

	.section .note.GNU-stack, "", %progbits
