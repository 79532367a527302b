/*
 * MSR access that survives a #GP: an MSR the CPU does not have (QEMU, AMD,
 * a hypervisor that hides it) makes rdmsr/wrmsr fault; trap_dispatch
 * (core/trap.c) sends a #GP at msr_read_insn or msr_write_insn to
 * msr_fault_return, which returns false. C prototypes in core/cpu.h.
 *
 *   bool cpu_rdmsr_safe(uint32_t msr, uint64_t *out)
 *   bool cpu_wrmsr_safe(uint32_t msr, uint64_t value)
 */
	.text
	.globl cpu_rdmsr_safe, cpu_wrmsr_safe
	.globl msr_read_insn, msr_write_insn, msr_fault_return
	.hidden cpu_rdmsr_safe, cpu_wrmsr_safe
	.hidden msr_read_insn, msr_write_insn, msr_fault_return

cpu_rdmsr_safe:
	movl	%edi, %ecx
msr_read_insn:
	rdmsr
	shlq	$32, %rdx
	movl	%eax, %eax
	orq	%rdx, %rax
	movq	%rax, (%rsi)
	movl	$1, %eax
	ret

cpu_wrmsr_safe:
	movl	%edi, %ecx
	movl	%esi, %eax
	movq	%rsi, %rdx
	shrq	$32, %rdx
msr_write_insn:
	wrmsr
	movl	$1, %eax
	ret

msr_fault_return:
	xorl	%eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits
