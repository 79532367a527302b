/*
 * AP trampoline: the blob [tramp_start, tramp_end) is copied to a 4 KiB
 * aligned page below 1 MiB; a SIPI with vector = page >> 12 starts an AP in
 * real mode at CS = page >> 4, IP = 0. It goes straight to long mode:
 * CR4.PAE, CR3 = temporary tables (32-bit: below 4 GiB), EFER.LME|NXE,
 * CR0.PG|PE (caches on: INIT leaves CD/NW set), far jump through the blob's
 * own GDT into a 64-bit segment, then loads stack, CPU index and the kernel
 * CR3 from the parameter block and jumps to ap_long_entry in the kernel
 * image. The temporary tables identity-map (executable) the 2 MiB regions
 * holding the blob and ap_long_entry; ap_long_entry switches to the kernel
 * tables, where only kernel text is executable.
 *
 * The parameter block (struct tramp_params in smp/ap.c) is patched by the
 * BSP per AP; the blob has no relocations (only label differences).
 */
	.section .text
	.balign 16

	.globl tramp_start, tramp_end, tramp_params, tramp_gdt, tramp_long64
	.hidden tramp_start, tramp_end, tramp_params, tramp_gdt, tramp_long64
	.globl ap_long_entry
	.hidden ap_long_entry

	.code16
tramp_start:
.Lstart:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(.Lgdtr - .Lstart)
	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	(.Ltmp_cr3 - .Lstart), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$((1 << 8) | (1 << 11)), %eax	/* LME | NXE */
	wrmsr
	movl	$0x80010033, %eax		/* PG WP NE ET MP PE; CD = NW = 0 */
	movl	%eax, %cr0
	ljmpl	*(.Lfar - .Lstart)

	.code64
tramp_long64:
.Llong64:
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	.Lstack(%rip), %rsp
	movq	.Lcpu(%rip), %rdi
	movq	.Lcr3(%rip), %rax
	movq	.Lentry(%rip), %rbx
	jmpq	*%rbx

	.balign 8
tramp_params:
.Lfar:	.long	0		/* 0: linear address of tramp_long64 (patched) */
	.word	0x08		/* 4: 64-bit code selector */
.Lgdtr:	.word	.Lgdt_end - .Lgdt - 1	/* 6: GDT limit */
	.long	0		/* 8: linear address of tramp_gdt (patched) */
.Ltmp_cr3:
	.long	0		/* 12: temporary PML4, below 4 GiB */
.Lcr3:	.quad	0		/* 16: kernel CR3 */
.Lstack:
	.quad	0		/* 24: stack top */
.Lentry:
	.quad	0		/* 32: ap_long_entry */
.Lcpu:	.quad	0		/* 40: CPU index */

	.balign 8
tramp_gdt:
.Lgdt:	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
.Lgdt_end:
tramp_end:

/*
 * Runs from the kernel image on the temporary tables: rax = kernel CR3,
 * rsp = this AP's stack, rdi = CPU index. Switches to the kernel tables and
 * calls ap_main(index), which never returns.
 */
	.balign 16
ap_long_entry:
	movq	%rax, %cr3
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
