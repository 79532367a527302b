/* The shell: the command table and the built-in commands (shell/shell.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/cpu.h"
#include "ai/quant.h"
#include "core/acpi_hw.h"
#include "core/idle.h"
#include "core/console.h"
#include "core/cpu.h"
#include "core/fbcon.h"
#include "core/input.h"
#include "core/keymap.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/param.h"
#include "core/poll.h"
#include "core/power.h"
#include "core/serial.h"
#include "core/timer.h"
#include "core/x86.h"
#include "dev/i8042.h"
#include "dev/pci.h"
#include "dev/usb.h"
#include "dev/xhci.h"
#include "fs/crc32.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "net/net.h"
#include "net/serve.h"
#include "shell/cmd_chat.h"
#include "shell/cmd_gen.h"
#include "shell/cmd_smp.h"
#include "shell/line.h"
#include "shell/llm.h"
#include "shell/shell.h"
#include "smp/smp.h"

static struct boot_info *boot;
static bool debug_on;
static char cur_line[SHELL_LINE_MAX]; /* the raw line being run */
static size_t cur_word[SHELL_ARGS_MAX]; /* offset of each word in cur_line */

static int cmd_help(int argc, char **argv);
static int cmd_info(int argc, char **argv);
static int cmd_mem(int argc, char **argv);
static int cmd_reboot(int argc, char **argv);
static int cmd_poweroff(int argc, char **argv);
static int cmd_panic_test(int argc, char **argv);
static int cmd_debug(int argc, char **argv);
static int cmd_clear(int argc, char **argv);
static int cmd_echo(int argc, char **argv);
static int cmd_keymap(int argc, char **argv);
static int cmd_mapcheck(int argc, char **argv);
static int cmd_pci(int argc, char **argv);

/* One line per command; debug commands only with debug on. */
static const struct shell_cmd shell_cmds[] = {
	{"help", "help", "list the commands", cmd_help, false},
	{"info", "info", "firmware, CPU, memory, screen, page tables, model, CPUs", cmd_info, false},
	{"mem", "mem", "the physical memory map and free memory", cmd_mem, false},
	{"mapcheck", "mapcheck", "CRC-32 of the model as mapped at 64 TiB vs. the loader's", cmd_mapcheck,
	 false},
	{"generate", "generate [OPTIONS] PROMPT",
	 "continue PROMPT (sampling options: `generate` alone lists them; Ctrl-C stops)",
	 cmd_gen_generate, false},
	{"chat", "chat", "talk to the model in its chat template (/reset, /exit)", cmd_chat, false},
	{"set", "set [KEY VALUE]", "show or change the sampling options, n, ctx, threads, system ...",
	 cmd_gen_set, false},
	{"model", "model", "the loaded model's details", cmd_gen_model, false},
	{"stats", "stats", "speed and token counts of the last generation", cmd_gen_stats, false},
	{"bench", "bench [-p P] [-n N] [-r R]", "prompt and generation speed (tok/s) on all cores",
	 cmd_gen_bench, false},
	{"cpus", "cpus", "list the CPUs and the work each did", cmd_smp_cpus, false},
	{"pci", "pci", "the PCI functions found (for drivers and hardware reports)", cmd_pci, false},
	{"net", "net", "network cards: MAC, link, IPv4 address, gateway, packet counters", net_cmd, false},
	{"serve", "serve", "start the OpenAI-compatible HTTP API (port= in llm.cfg) or show it", serve_cmd,
	 false},
	{"smptest", "smptest", "parallel self-test on all CPUs", cmd_smp_smptest, false},
	{"clear", "clear", "clear the screen", cmd_clear, false},
	{"echo", "echo TEXT", "print TEXT", cmd_echo, false},
	{"keymap", "keymap [us|uk|de|fr]", "show or switch the keyboard layout", cmd_keymap, false},
	{"debug", "debug [on|off]", "show or switch the debug commands", cmd_debug, false},
	{"reboot", "reboot", "restart the machine", cmd_reboot, false},
	{"poweroff", "poweroff", "switch the machine off", cmd_poweroff, false},
	{"panic-test", "panic-test [ud|pf|guard|de|panic]", "fault on purpose to show the panic report",
	 cmd_panic_test, true},
	{"apfault", "apfault", "make CPU 1 fault (panic report from an AP)", cmd_smp_apfault, true},
};
#define N_CMDS ((int)(sizeof shell_cmds / sizeof shell_cmds[0]))

bool shell_debug(void)
{
	return debug_on;
}

struct boot_info *shell_boot_info(void)
{
	return boot;
}

const char *shell_rest(int argi)
{
	if (argi < 0 || argi >= SHELL_ARGS_MAX || cur_word[argi] == (size_t)-1)
		return "";
	return cur_line + cur_word[argi];
}

static const struct shell_cmd *find(const char *name)
{
	for (int i = 0; i < N_CMDS; i++)
		if (!strcmp(shell_cmds[i].name, name) && (!shell_cmds[i].debug || debug_on))
			return &shell_cmds[i];
	return NULL;
}

/* Splits line (modified) into words on blanks; "..." keeps blanks inside
 * one word. Records each word's offset in cur_line. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	for (int i = 0; i < SHELL_ARGS_MAX; i++)
		cur_word[i] = (size_t)-1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || argc >= SHELL_ARGS_MAX - 1)
			break;
		cur_word[argc] = (size_t)(p - line);
		char *w = p, *d = p;
		bool quoted = false;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				*d++ = *p;
		}
		if (*p)
			p++;
		*d = 0;
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

int shell_exec(char *line)
{
	char *argv[SHELL_ARGS_MAX];
	strncpy(cur_line, line, sizeof cur_line - 1);
	cur_line[sizeof cur_line - 1] = 0;
	int argc = split(line, argv);
	if (!argc)
		return 0;
	const struct shell_cmd *c = find(argv[0]);
	if (!c) {
		kprintf("unknown command '%s' (type help)\n", argv[0]);
		return -1;
	}
	return c->fn(argc, argv);
}

void shell_run(struct boot_info *bi)
{
	static char line[SHELL_LINE_MAX];
	boot = bi;
	debug_on = bi->cfg.debug || strstr(bi->cmdline, "debug") != NULL;
	kprintf("Type help for the commands.\n");
	/* llm.cfg autorun= lines, as if typed at the prompt */
	for (const char *a = bi->cfg.autorun; *a;) {
		size_t n = 0;
		while (a[n] && a[n] != '\n')
			n++;
		if (n < sizeof line) {
			memcpy(line, a, n);
			line[n] = 0;
			kprintf("%s%s\n", SHELL_PROMPT, line);
			shell_exec(line);
		}
		a += n + (a[n] == '\n');
	}
	for (;;) {
		/* idle: the API server's queued jobs run while the prompt waits */
		if (line_read_idle(SHELL_PROMPT, line, sizeof line, poll_idle) < 0)
			continue;
		shell_exec(line);
		llm_get()->kv_epoch++; /* any command may have used the KV cache */
	}
}

/* ---- commands -------------------------------------------------------- */

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < N_CMDS; i++)
		if (!shell_cmds[i].debug || debug_on)
			kprintf("  %-34s %s\n", shell_cmds[i].usage, shell_cmds[i].help);
	if (!debug_on)
		kprintf("  (debug commands hidden: debug on)\n");
	return 0;
}

static const char *const mem_type_names[] = {
	"usable", "boot services", "loader", "runtime", "ACPI reclaim", "ACPI NVS", "MMIO", "reserved",
};

static const char *mem_type_name(uint32_t t)
{
	return t < sizeof mem_type_names / sizeof mem_type_names[0] ? mem_type_names[t] : "?";
}

/* MiB of the map's RAM: usable now (usable + boot services), kept by the
 * firmware or us (everything else that is RAM), total. */
static void mem_summary(uint64_t *usable, uint64_t *reserved, uint64_t *total)
{
	*usable = *reserved = 0;
	uint32_t n = boot->n_ranges;
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem_range *r = &boot->ranges[i];
		uint64_t b = r->pages * PAGE_SIZE;
		if (r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_RECLAIMABLE)
			*usable += b;
		else if (r->type != BOOT_MEM_MMIO)
			*reserved += b;
	}
	*total = *usable + *reserved;
}

static const char *fb_format_name(uint32_t f)
{
	switch (f) {
	case BOOT_FB_RGBX: return "RGBX";
	case BOOT_FB_BGRX: return "BGRX";
	case BOOT_FB_BITMASK: return "bitmask";
	default: return "none";
	}
}

static int cmd_pci(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("%d PCI functions, access: %s\n", pci_count(), pci_access());
	for (int i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		kprintf("  %04x:%02x:%02x.%u  %04x:%04x  class %02x.%02x.%02x  %s\n", d->seg, d->bus,
			d->slot, d->fn, d->vendor, d->device, d->cls, d->subcls, d->progif,
			pci_class_name(d->cls, d->subcls, d->progif));
	}
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct boot_info *bi = boot;
	char brand[64];
	cpu_brand(brand, sizeof brand);
	kprintf("firmware: %s, revision 0x%08x\n", bi->firmware_vendor[0] ? bi->firmware_vendor : "?",
		bi->firmware_revision);
	kprintf("cpu: %s\n", brand);
	struct cpu_features f;
	cpu_detect(&f);
	kprintf("cpu features:%s%s%s%s%s%s%s%s%s%s%s%s\n", f.sse42 ? " sse4.2" : "", f.avx ? " avx" : "",
		f.avx2 ? " avx2" : "", f.fma ? " fma" : "", f.f16c ? " f16c" : "",
		f.avx512f ? " avx512f" : "", f.avx512bw ? " avx512bw" : "", f.avx512vl ? " avx512vl" : "",
		f.avx512dq ? " avx512dq" : "", f.avx512vnni ? " avx512vnni" : "",
		f.avx512bf16 ? " avx512bf16" : "", f.avxvnni ? " avxvnni" : "");
	kprintf("kernels: %s\n", quant_level_name(quant_level()));
	cpu_perf_print_info();
	timer_print_info();
	idle_print_info();
	serial_print_info();
	acpi_print_summary();
	uint64_t usable, reserved, total;
	mem_summary(&usable, &reserved, &total);
	kprintf("memory: usable %lu MiB, reserved %lu MiB, total %lu MiB, free now %lu MiB "
		"(%u ranges in the firmware's map)\n",
		(unsigned long)(usable >> 20), (unsigned long)(reserved >> 20), (unsigned long)(total >> 20),
		(unsigned long)(pmm_free_bytes() >> 20), boot->n_ranges);
	if (fbcon_present()) {
		int c, r;
		fbcon_size(&c, &r);
		kprintf("framebuffer: %ux%u %s, %u pixels per line, %u bits per pixel, at 0x%lx "
			"(text %dx%d)\n", bi->fb.width, bi->fb.height, fb_format_name(bi->fb.format),
			bi->fb.pitch, bi->fb.bpp, (unsigned long)bi->fb.base,
			c, r);
	} else {
		kprintf("framebuffer: none (serial console only)\n");
	}
	uint64_t cr3 = read_cr3();
	kprintf("page tables: CR3 0x%lx (ours), firmware CR3 0x%lx\n", (unsigned long)cr3,
		(unsigned long)bi->firmware_cr3);
	kprintf("NX: %s, WP: %s\n", (rdmsr(MSR_EFER) & EFER_NXE) ? "enabled" : "disabled",
		(read_cr0() & CR0_WP) ? "enabled" : "disabled");
	if (bi->has_model) {
		kprintf("model: %s, %lu bytes%s, crc32 0x%08x, mapped at %p\n", bi->model.name,
			(unsigned long)bi->model.size, bi->model.n_parts > 1 ? " in a split model's files" : "",
			bi->model.crc32, vmm_model_base());
	} else if (!strncmp(bi->load_error, "no model", 8)) {
		kprintf("model: %s\n", bi->load_error);
	} else if (bi->load_error[0]) {
		kprintf("model: no model loaded (%s)\n", bi->load_error);
	} else {
		kprintf("model: no model\n");
	}
	kprintf("cpus: %d online\n", smp_ncpus_online());
	kprintf("input: %d USB keyboard(s) on %d xHCI controller(s), PS/2 keyboard %s, "
		"keymap %s%s\n", usb_kbd_count(), xhci_count(), i8042_keyboard() ? "yes" : "no",
		keymap_name(input_keymap()), console_debugcon() ? ", console on debug port 0xE9" : "");
	if (bi->cmdline[0])
		kprintf("command line: %s\n", bi->cmdline);
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct boot_info *bi = boot;
	uint32_t n = bi->n_ranges;
	uint64_t by_type[8] = {0};
	kprintf("physical memory map (%u ranges; neighbours of one type merged):\n", n);
	for (uint32_t i = 0; i < n;) {
		const struct boot_mem_range *r = &bi->ranges[i];
		uint64_t end = r->base + r->pages * PAGE_SIZE;
		uint32_t j = i + 1;
		while (j < n && bi->ranges[j].type == r->type && bi->ranges[j].base == end) {
			end += bi->ranges[j].pages * PAGE_SIZE;
			j++;
		}
		for (uint32_t k = i; k < j; k++)
			if (bi->ranges[k].type < 8)
				by_type[bi->ranges[k].type] += bi->ranges[k].pages * PAGE_SIZE;
		kprintf("  %016lx-%016lx %10lu KiB  %-13s", (unsigned long)r->base, (unsigned long)end - 1,
			(unsigned long)((end - r->base) >> 10), mem_type_name(r->type));
		if (j - i > 1)
			kprintf(" (%u ranges)\n", j - i);
		else
			kprintf(" (efi type %u)\n", r->efi_type);
		i = j;
	}
	kprintf("totals:");
	for (int t = 0; t < 8; t++)
		if (by_type[t])
			kprintf(" %s %lu MiB;", mem_type_name(t), (unsigned long)(by_type[t] >> 20));
	kprintf("\n");
	int ne = pmm_extent_count();
	kprintf("free: %lu pages (%lu MiB) of %lu MiB managed, in %d ranges\n",
		(unsigned long)(pmm_free_bytes() / PAGE_SIZE), (unsigned long)(pmm_free_bytes() >> 20),
		(unsigned long)(pmm_total_bytes() >> 20), ne);
	for (int i = 0; i < ne && i < 16; i++) {
		uint64_t b, p;
		pmm_extent_get(i, &b, &p);
		kprintf("  free %016lx-%016lx %lu pages\n", (unsigned long)b,
			(unsigned long)(b + p * PAGE_SIZE - 1), (unsigned long)p);
	}
	if (ne > 16)
		kprintf("  ... %d more\n", ne - 16);
	struct heap_stats hs;
	heap_get_stats(&hs);
	kprintf("heap: %lu KiB in small-block slabs, %lu KiB in large blocks, %lu live blocks\n",
		(unsigned long)(hs.small_bytes >> 10), (unsigned long)(hs.large_bytes >> 10),
		(unsigned long)hs.live_blocks);
	if (vmm_model_base())
		kprintf("model: %lu bytes mapped at %p\n", (unsigned long)vmm_model_size(), vmm_model_base());
	return 0;
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	power_reboot();
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	power_off();
}

static int cmd_debug(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "on"))
		debug_on = true;
	else if (argc > 1 && !strcmp(argv[1], "off"))
		debug_on = false;
	else if (argc > 1) {
		kprintf("usage: debug [on|off]\n");
		return -1;
	}
	kprintf("debug commands: %s\n", debug_on ? "on" : "off");
	return 0;
}

static int cmd_clear(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_puts("\x1b[2J\x1b[H");
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	(void)argv;
	kprintf("%s\n", argc > 1 ? shell_rest(1) : "");
	return 0;
}

static int cmd_keymap(int argc, char **argv)
{
	if (argc > 1) {
		const struct keymap *m = keymap_find(argv[1], strlen(argv[1]));
		if (!m) {
			kprintf("keymap: no layout '%s' (%s)\n", argv[1], keymap_list());
			return 1;
		}
		input_set_keymap(m);
	}
	kprintf("keymap: %s (layouts: %s)\n", keymap_name(input_keymap()), keymap_list());
	return 0;
}

/* Recurses (through a pointer the compiler cannot see through) until
 * the stack runs into its guard page. */
static int overflow(volatile char *p);
static int (*volatile overflow_fn)(volatile char *) = overflow;
static int __attribute__((noinline)) overflow(volatile char *p)
{
	volatile char pad[512];
	pad[0] = *p;
	return overflow_fn(pad) + pad[1];
}

static int cmd_panic_test(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "ud";
	kprintf("panic-test: %s\n", how);
	if (!strcmp(how, "ud")) {
		ud2();
	} else if (!strcmp(how, "pf")) {
		volatile uintptr_t addr = 0x8; /* page 0 is unmapped */
		*(volatile uint64_t *)addr = 1;
	} else if (!strcmp(how, "guard")) {
		volatile char c = 0;
		return overflow(&c);
	} else if (!strcmp(how, "de")) {
		volatile int zero = 0;
		return 1 / zero;
	} else if (!strcmp(how, "panic")) {
		panic("panic-test requested a panic");
	} else {
		kprintf("usage: panic-test [ud|pf|guard|de|panic]\n");
		return -1;
	}
	return 0;
}

/* Reads the whole model through its mapping, file by file for a split
 * model: proves the chunks are mapped in order (the loader computed the CRC
 * from the files, one after the other). */
static int cmd_mapcheck(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const uint8_t *base = vmm_model_base();
	if (!base) {
		kprintf("mapcheck: no model mapped\n");
		return -1;
	}
	uint64_t size = vmm_model_size(), t0 = timer_now_ns();
	uint32_t crc = 0;
	for (uint32_t p = 0; p < vmm_model_parts(); p++) {
		uint64_t len;
		const uint8_t *b = vmm_model_part(p, &len);
		for (uint64_t off = 0; off < len; off += 1 << 24) {
			uint64_t n = len - off < (1 << 24) ? len - off : (1 << 24);
			crc = crc32_update(crc, b + off, n);
		}
	}
	double s = (timer_now_ns() - t0) / 1e9;
	bool ok = crc == boot->model.crc32;
	kprintf("mapcheck: %lu bytes at %p, crc32 0x%08x, loader 0x%08x: %s (%.2f s)\n",
		(unsigned long)size, (const void *)base, crc, boot->model.crc32, ok ? "match" : "MISMATCH", s);
	return ok ? 0 : -1;
}
