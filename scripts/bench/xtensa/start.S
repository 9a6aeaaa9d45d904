/* Bare start for the lx106 under QEMU: stack, zeroed .bss, main(), then a semihosting exit
 * (SYS_exit = 1 through `simcall`, which QEMU serves when run with -semihosting). lx106 has
 * no register windows: everything uses the call0 ABI. PS comes out of reset with EXCM set
 * and INTLEVEL 15, so no interrupt can arrive and nothing here needs vectors. */
	.section .text.start, "ax"
	.literal_position
	.global _start
	.align 4
_start:
	movi	a1, __stack_top
	movi	a2, __bss_start
	movi	a3, __bss_end
	movi	a4, 0
1:	bgeu	a2, a3, 2f
	s32i	a4, a2, 0
	addi	a2, a2, 4
	j	1b
2:	call0	main
	mov	a3, a2
	movi	a2, 1
	simcall
3:	j	3b
