/* pvmfw's header (include/gzabi/pvmfw.h) and entry. gzhyp enters at pvmfw_entry on the VM's
 * first vCPU, EL1h, DAIF masked, MMU off: x0 = the device tree, x1 = the kernel's first byte
 * as the host set them. */
#include <gzabi/pvmfw.h>

	.section .text.header, "ax"
	.globl	pvmfw_header
pvmfw_header:
	.quad	GZ_PVMFW_MAGIC
	.word	GZ_PVMFW_VERSION
	.word	GZ_PVMFW_HEADER_SIZE
	.quad	__pvmfw_image_size
	.quad	__pvmfw_mem_size
	.quad	__pvmfw_entry_offset
	.fill	GZ_PVMFW_HEADER_SIZE - 40, 1, 0

	.section .text.boot, "ax"
	.globl	pvmfw_entry
pvmfw_entry:
	mov	x19, x0
	mov	x20, x1
	adrp	x2, __stack_top
	add	x2, x2, :lo12:__stack_top
	mov	sp, x2
	adrp	x2, pvmfw_vectors
	add	x2, x2, :lo12:pvmfw_vectors
	msr	vbar_el1, x2
	isb
	/* BSS: the host wrote these pages before it gave them up */
	adrp	x2, __bss_start
	add	x2, x2, :lo12:__bss_start
	adrp	x3, __bss_end
	add	x3, x3, :lo12:__bss_end
1:	cmp	x2, x3
	b.hs	2f
	str	xzr, [x2], #8
	b	1b
2:	mov	x0, x19
	mov	x1, x20
	bl	pvmfw_main
	/* pvmfw_main returns only to start the verified kernel: x0 = its entry */
	mov	x9, x0
	mov	x0, x19
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	/* nothing of the firmware's own is left for the kernel to find but its memory */
	msr	vbar_el1, xzr
	isb
	br	x9

/* Any exception in the firmware ends the boot: pvmfw_exception refuses and powers off. */
	.macro	ventry
	.align	7
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	b	pvmfw_exception
	.endm

	.section .text
	.align	11
pvmfw_vectors:
	.rept	16
	ventry
	.endr
