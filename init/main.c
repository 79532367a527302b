/* kmain: the kernel's boot sequence after ExitBootServices, one step per line. */
#include <stdint.h>
#include <string.h>

#include "core/acpi_hw.h"
#include "core/boot_info.h"
#include "core/cpu.h"
#include "core/fbcon.h"
#include "core/gdt.h"
#include "core/console.h"
#include "core/idle.h"
#include "core/input.h"
#include "core/keymap.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/param.h"
#include "core/power.h"
#include "core/serial.h"
#include "core/timer.h"
#include "core/x86.h"
#include "dev/i8042.h"
#include "dev/pci.h"
#include "dev/usb.h"
#include "dev/xhci.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "net/net.h"
#include "net/serve.h"
#include "mm/vmm.h"
#include "shell/llm.h"
#include "shell/shell.h"
#include "shell/status.h"
#include "smp/smp.h"

static void kmain_on_kstack(struct boot_info *bi) __attribute__((noreturn));

/* With no keyboard and no serial line the screen says what still works. */
static void input_check(const struct boot_info *bi)
{
	if (serial_present() || i8042_keyboard() || usb_kbd_count())
		return;
	kprintf("No keyboard found%s: plug in a USB keyboard, it works once plugged in.%s\n",
		xhci_count() ? "" : " and no USB controller",
		bi->cfg.autorun[0] ? " Running the llm.cfg autorun= commands." : "");
}

void kmain(struct boot_info *bi)
{
	cli();
	serial_init(bi->cfg.baud, bi->cfg.serial); /* COM1-COM4 that answer, or llm.cfg serial= */
	console_init();                   /* mirror to the QEMU/Bochs debug port if it answers */
	fbcon_init(&bi->fb);              /* text console on the GOP framebuffer */
	kprintf("\nllm-os kernel: running after ExitBootServices\n");
	gdt_init();                       /* our GDT with a TSS slot per CPU */
	gdt_load_cpu(0);                  /* segments + the BSP's TSS and IST stacks */
	idt_init();                       /* all exceptions -> panic report */
	cpu_init_simd();                  /* FPU/SSE/AVX/AVX-512 state, PAT */
	cpu_perf_init();                  /* Intel: HWP or the top P-state (every CPU) */
	pmm_init(bi);                     /* free pages from the memory map */
	vmm_init(bi);                     /* our page tables: identity RAM, NX, RO text, model */
	void *kstack = vmm_stack_alloc(KSTACK_SIZE);
	if (!kstack)
		panic("no memory for the kernel stack");
	/* off the loader's stack */
	switch_stack((uint64_t)kstack, (void (*)(void))kmain_on_kstack, (uint64_t)bi);
}

static void kmain_on_kstack(struct boot_info *bi)
{
	acpi_init(bi);                    /* ACPI tables, before their memory may be reused */
	power_init(bi);                   /* reset=acpi: poweroff/reboot skip the firmware */
	serial_apply_acpi(acpi_get());    /* the SPCR's serial port, when there is one */
	pmm_reclaim_boot(bi);             /* boot-services memory is ours now */
	fbcon_enable_shadow();            /* draw in RAM, copy to video memory */
	timer_init(bi->fw_tsc_hz);        /* TSC frequency: CPUID, PM timer, HPET or PIT */
	heap_init();                      /* malloc & co. */
	kprintf("memory: %lu MiB free, page tables at 0x%lx; timer: TSC %.3f GHz (%s)\n",
		(unsigned long)(pmm_free_bytes() >> 20), (unsigned long)vmm_cr3(),
		timer_tsc_hz() / 1e9, timer_source());
	pci_init(bi);                     /* find the PCI functions (drivers come next) */
	input_set_keymap(keymap_find(bi->cfg.keymap, strlen(bi->cfg.keymap))); /* llm.cfg keymap= */
	xhci_init();                      /* USB: controllers taken from the firmware, keyboards */
	i8042_init(acpi_get());           /* PS/2, where the FADT lists it (after the USB handoff) */
	input_check(bi);                  /* say so when nothing can type */
	net_init(bi);                     /* network cards, lwIP, DHCP (net=off: none) */
	smp_init(bi);                     /* start the APs, par_for runner */
	idle_init();                      /* PICs masked; the input wait halts */
	status_set_cpus(smp_ncpus_online()); /* the status line on the screen */
	status_set_model(bi->has_model ? bi->model.name : NULL);
	llm_init(bi);                     /* open the model, size the context */
	serve_boot(bi);                   /* the HTTP API, when llm.cfg says api=on */
	shell_run(bi);                    /* never returns */
}
