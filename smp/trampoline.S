/*
 * AP trampoline: the blob [tramp_start, tramp_end) is copied to a 4 KiB
 * aligned page below 1 MiB; a SIPI with vector = page >> 12 starts an AP in
 * real mode at CS = page >> 4, IP = 0. It goes straight to long mode:
 * (IA32_MISC_ENABLE's XD-disable bit cleared when the BSP had to), CR4.PAE,
 * CR3 = temporary tables (32-bit: below 4 GiB), EFER.LME|NXE, CR0.PG|PE
 * (caches on: INIT leaves CD/NW set), far jump through the blob's own GDT
 * into a 64-bit segment, then loads the kernel CR3 from the parameter block
 * and jumps to ap_long_entry in the kernel image. The temporary tables
 * identity-map (executable) the 2 MiB regions holding the blob and
 * ap_long_entry; ap_long_entry switches to the kernel tables, where only
 * kernel text is executable. No stack is used before ap_long_entry, so all
 * APs may run the blob at once.
 *
 * The parameter block (struct tramp_params in smp/ap.c) is filled once by
 * the BSP; the blob has no relocations (only label differences).
 */
	.section .text
	.balign 16

	.globl tramp_start, tramp_end, tramp_params, tramp_gdt, tramp_long64
	.hidden tramp_start, tramp_end, tramp_params, tramp_gdt, tramp_long64
	.globl ap_long_entry
	.hidden ap_long_entry
	.hidden ap_ticket, ap_tickets, ap_stacks

	.code16
tramp_start:
.Lstart:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(.Lgdtr - .Lstart)
	cmpb	$0, (.Lclear_xd - .Lstart)
	je	1f
	movl	$0x1a0, %ecx			/* IA32_MISC_ENABLE */
	rdmsr
	andl	$~(1 << 2), %edx		/* bit 34: XD (NX) disable */
	wrmsr
1:	movl	%cr4, %eax
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
.Lentry:
	.quad	0		/* 24: ap_long_entry */
.Lclear_xd:
	.quad	0		/* 32: 1: clear IA32_MISC_ENABLE.XD_DISABLE first */

	.balign 8
tramp_gdt:
.Lgdt:	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
.Lgdt_end:
tramp_end:

/*
 * Runs from the kernel image on the temporary tables: rax = kernel CR3.
 * Switches to the kernel tables, takes the next ticket (arrival order),
 * and with ticket t < ap_tickets calls ap_main(t + 1) on the stack
 * ap_stacks[t]; ap_main never returns. A ticket beyond ap_tickets (the BSP
 * stopped waiting, see ap_start_all) halts here for good.
 */
	.balign 16
ap_long_entry:
	movq	%rax, %cr3
	movl	$1, %eax
	lock xaddl %eax, ap_ticket(%rip)
	cmpl	ap_tickets(%rip), %eax
	jae	1f
	leaq	ap_stacks(%rip), %rbx
	movq	(%rbx,%rax,8), %rsp
	leal	1(%rax), %edi
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
