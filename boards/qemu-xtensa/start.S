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
