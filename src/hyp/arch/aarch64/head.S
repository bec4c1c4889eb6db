/*
 * gzhyp entry. The image starts with the arm64 Linux Image header, so QEMU's -kernel (and
 * any Linux boot loader) loads it at RAM base + text_offset and enters with x0 = DTB. The
 * boot CPU zeroes BSS, takes its stack, checks it runs at EL2 and installs the vectors;
 * secondaries arrive through PSCI CPU_ON at gz_el2_secondary_entry with x0 = CPU index.
 */
#include "el2.h"
#include <arm64/sysreg_el2.h>

#define IMAGE_MAGIC       0x644d5241 /* "ARM\x64" */
#define IMAGE_FLAGS_4K_LE 0x2        /* little-endian, 4 KiB pages, 2 MiB-aligned base */

	.section .text.head, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	GZ_EL2_TEXT_OFFSET	/* text_offset */
	.quad	_image_size		/* image_size: load size including BSS and stacks */
	.quad	IMAGE_FLAGS_4K_LE
	.quad	0, 0, 0			/* res2..res4 */
	.long	IMAGE_MAGIC
	.long	0			/* res5: no PE header */

primary_entry:
	msr	daifset, #DAIFSET_ALL
	mov	x19, x0			/* DTB physical address */
	adr	x20, _start		/* where we run */
	ldr	x21, =_start		/* where we are linked */

	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:
	adrp	x0, gz_el2_stacks
	add	x0, x0, :lo12:gz_el2_stacks
	add	x0, x0, #GZ_EL2_STACK_SIZE
	mov	sp, x0

	mrs	x1, CurrentEL
	ubfx	x1, x1, #CURRENTEL_EL_SHIFT, #2
	cmp	x1, #2
	b.ne	3f

	bl	el2_cpu_setup
	mov	x0, x19
	mrs	x1, mpidr_el1
	mov	x2, x20
	mov	x3, x21
	bl	gz_el2_main
	b	park

3:	cmp	x1, #1
	b.ne	4f
	/* At EL1 an exception (an HLT without -semihosting) must still end the run. */
	adrp	x0, el1_park_vectors
	add	x0, x0, :lo12:el1_park_vectors
	msr	vbar_el1, x0
	isb
4:	mov	x0, x1			/* the EL we are at */
	mov	x1, x19
	bl	gz_el2_wrong_el
	b	park

	.globl	gz_el2_secondary_entry
gz_el2_secondary_entry:
	msr	daifset, #DAIFSET_ALL
	mov	x19, x0			/* CPU index chosen by the boot CPU */
	cmp	x19, #GZ_EL2_MAX_CPUS
	b.hs	park
	mrs	x1, CurrentEL
	ubfx	x1, x1, #CURRENTEL_EL_SHIFT, #2
	cmp	x1, #2
	b.ne	park
	adrp	x0, gz_el2_stacks
	add	x0, x0, :lo12:gz_el2_stacks
	add	x1, x19, #1
	mov	x2, #GZ_EL2_STACK_SIZE
	madd	x0, x1, x2, x0
	mov	sp, x0
	bl	el2_cpu_setup
	mov	x0, x19
	mrs	x1, mpidr_el1
	bl	gz_el2_secondary_main

park:	wfe
	b	park

/* Known EL2 state: MMU and D-cache off, I-cache on, SP alignment checked, no per-CPU data
 * yet (TPIDR_EL2 resets to an UNKNOWN value), our vectors. */
el2_cpu_setup:
	ldr	x0, =(SCTLR_EL2_RES1 | SCTLR_ELX_SA | SCTLR_ELX_I)
	msr	sctlr_el2, x0
	msr	tpidr_el2, xzr
	adrp	x0, gz_el2_vectors
	add	x0, x0, :lo12:gz_el2_vectors
	msr	vbar_el2, x0
	isb
	ret

	.ltorg

/* EL1 vectors for the wrong-EL path only: any exception powers off through PSCI, which is
 * reached with HVC when QEMU has no EL2. */
	.balign	0x800
el1_park_vectors:
	.rept	16
	.balign	0x80
	b	el1_park
	.endr
el1_park:
	mov	x0, #(GZ_EL2_PSCI_SYSTEM_OFF_ASM & 0xffff)
	movk	x0, #(GZ_EL2_PSCI_SYSTEM_OFF_ASM >> 16), lsl #16
	hvc	#0
	b	park

	.section .stacks, "aw", %nobits
	.balign	16
	.globl	gz_el2_stacks
gz_el2_stacks:
	.skip	GZ_EL2_STACK_SIZE * GZ_EL2_MAX_CPUS

	.section .note.GNU-stack, "", %progbits
