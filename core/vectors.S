/*
 * The 256 interrupt entry stubs, 16 bytes apart from trap_stubs (idt.c
 * computes each address, so no relocations are needed). Each pushes a
 * zero error code when the CPU does not push one, then the vector, then
 * jumps to trap_common, which saves the registers as a struct trap_frame
 * (core/idt.h), calls trap_dispatch(frame) and returns with iretq.
 */
	.text
	.globl trap_stubs
	.hidden trap_dispatch

	.balign 16
trap_stubs:
	vec = 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

trap_common:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.section .note.GNU-stack,"",@progbits
