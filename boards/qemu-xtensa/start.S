/* Reset entry of the QEMU lx106 board. lx106 has no register windows (call0 ABI). QEMU
 * leaves PS with EXCM set and INTLEVEL high, so no interrupt is taken: the board polls its
 * devices and needs no vectors. Start-up copies .data from flash to dram, zeroes .bss, paints
 * the stack (for qb_stack_peak), sets it at the top of dram and calls main; if main returns,
 * the board resets. */
	.section .text.start, "ax"
	.literal_position
	.global _start
	.align 4
_start:
	movi	a1, __stack_top
	/* our vectors: an exception (always a double exception, EXCM stays set) prints its
	 * cause and resets instead of running whatever sits at QEMU's default vectors */
	movi	a2, qb_vectors
	wsr.vecbase a2
	rsync
	/* .data: flash -> dram, word by word (both ends are 4-aligned by the linker map) */
	movi	a2, __data_start
	movi	a3, __data_end
	movi	a4, __data_load
1:	bgeu	a2, a3, 2f
	l32i	a5, a4, 0
	s32i	a5, a2, 0
	addi	a2, a2, 4
	addi	a4, a4, 4
	j	1b
2:	movi	a2, __bss_start
	movi	a3, __bss_end
	movi	a4, 0
3:	bgeu	a2, a3, 4f
	s32i	a4, a2, 0
	addi	a2, a2, 4
	j	3b
4:	/* paint the stack (below a small margin for this frame) so its peak use can be measured */
	movi	a2, __stack_bottom
	movi	a3, __stack_top - 64
	movi	a4, 0xa5a5a5a5
6:	bgeu	a2, a3, 7f
	s32i	a4, a2, 0
	addi	a2, a2, 4
	j	6b
7:	call0	main
	call0	hw_qemu_reset
5:	j	5b

/* Exception vectors (VECBASE-relative offsets of the lx106: debug 0x10, NMI 0x20, kernel
 * 0x30, user 0x50, double 0x70). Each loads its kind and goes to qb_fatal on its own stack;
 * nothing returns. */
	.section .text.vectors, "ax"
	.align 1024
	.global qb_vectors
qb_vectors:
	.org qb_vectors + 0x10
	movi	a2, 1
	j	qb_vector_common
	.org qb_vectors + 0x20
	movi	a2, 2
	j	qb_vector_common
	.org qb_vectors + 0x30
	movi	a2, 3
	j	qb_vector_common
	.org qb_vectors + 0x50
	movi	a2, 5
	j	qb_vector_common
	.org qb_vectors + 0x70
	movi	a2, 7
	j	qb_vector_common
	.align 4
	.literal_position
qb_vector_common:
	movi	a1, __exc_stack_top
	call0	qb_fatal
8:	j	8b

	.section .bss.exc_stack, "aw", @nobits
	.align 16
	.space 512
	.global __exc_stack_top
__exc_stack_top:
