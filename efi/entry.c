/*
 * efi_main: the boot sequence while the firmware still runs the machine,
 * one step per line, ending in ExitBootServices and kmain(bi) on a stack
 * of our own. Also efi_reset_system(), the one firmware call the kernel
 * may make later.
 */
#include "efi/efi.h"
#include "core/cpu.h"
#include "core/x86.h"
#include "fs/cfg.h"

EFI_HANDLE efi_image;
EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;
EFI_RUNTIME_SERVICES *efi_rt;
uint64_t efi_tsc_hz;

static struct boot_info entry_bi; /* in our image: LOADER memory, kept */
static EFI_GUID entry_li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID entry_acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID entry_acpi10_guid = ACPI_TABLE_GUID;

static bool entry_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	for (size_t i = 0; i < sizeof *a; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* ACPI 2.0+ RSDP if the firmware has one, else the 1.0 one, else 0. */
static uint64_t entry_find_rsdp(void)
{
	uint64_t v1 = 0;
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];
		if (entry_guid_eq(&t->VendorGuid, &entry_acpi20_guid))
			return (uint64_t)(uintptr_t)t->VendorTable;
		if (entry_guid_eq(&t->VendorGuid, &entry_acpi10_guid))
			v1 = (uint64_t)(uintptr_t)t->VendorTable;
	}
	return v1;
}

static void entry_ascii(char *dst, size_t max, const CHAR16 *src, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; src && i < n && src[i] && k + 1 < max; i++)
		dst[k++] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[k] = 0;
}

/* Load options as text. Boot managers often pass binary data there, so
 * anything that is not printable ASCII is ignored; a leading "X.efi" word
 * (the UEFI shell passes the program name) is dropped. */
static void entry_cmdline(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	const CHAR16 *o = li->LoadOptions;
	size_t n = li->LoadOptionsSize / 2, start = 0;

	if (!o || !n)
		return;
	for (size_t i = 0; i < n && o[i]; i++)
		if (o[i] < 0x20 || o[i] >= 0x7f)
			return;
	while (start < n && o[start] == ' ')
		start++;
	size_t w = start;
	while (w < n && o[w] && o[w] != ' ')
		w++;
	if (w - start > 4 && (o[w - 4] == '.') && (o[w - 3] | 0x20) == 'e' &&
	    (o[w - 2] | 0x20) == 'f' && (o[w - 1] | 0x20) == 'i')
		start = w;
	entry_ascii(bi->cmdline, sizeof bi->cmdline, o + start, n - start);
}

static void entry_cfg_warn(void *ctx, int line, const char *msg, const char *arg, size_t n)
{
	char a[64];
	size_t k = 0;
	for (; k < n && k + 1 < sizeof a; k++)
		a[k] = arg[k];
	a[k] = 0;
	fwcon_printf("warning: %s %d: %s: '%s'\n", (const char *)ctx, line, msg, a);
}

/* The TSC rate from the firmware's Stall(): the fastest of five 10 ms
 * waits, since a Stall() only ever lasts too long (the kernel compares its
 * own calibration with this, core/timer.h). */
static void entry_calibrate_tsc(struct boot_info *bi)
{
	uint64_t best = 0;
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = rdtsc();
		efi_bs->Stall(10000);
		uint64_t d = rdtsc() - t0;
		if (!best || d < best)
			best = d;
	}
	efi_tsc_hz = best * 100;
	bi->fw_tsc_hz = efi_tsc_hz;
}

/* The firmware's tables, its banner, the screen, the CPU and the TSC rate. */
static void entry_firmware(struct boot_info *bi, EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	efi_image = image;
	efi_st = st;
	efi_bs = st->BootServices;
	efi_rt = st->RuntimeServices;
	__builtin_memset(bi, 0, sizeof *bi);
	bi->tsc_at_entry = rdtsc();
	bi->firmware_cr3 = read_cr3();
	efi_bs->SetWatchdogTimer(0, 0, 0, NULL); /* a big model takes minutes */

	gop_init(&bi->fb); /* first: a mode switch clears the screen */
	entry_ascii(bi->firmware_vendor, sizeof bi->firmware_vendor, st->FirmwareVendor, 64);
	bi->firmware_revision = st->FirmwareRevision;
	fwcon_printf("\nllm-os: booting on %s firmware rev 0x%x, UEFI %u.%u\n",
		     bi->firmware_vendor, bi->firmware_revision, st->Hdr.Revision >> 16,
		     (st->Hdr.Revision & 0xffff) / 10);
	char brand[49];
	cpu_brand(brand, sizeof brand);
	fwcon_printf("CPU: %s\n", brand);
	entry_calibrate_tsc(bi);
}

/* Where we were loaded, our load options and the ACPI tables. */
static void entry_image(struct boot_info *bi)
{
	EFI_LOADED_IMAGE *li = NULL;
	if (efi_bs->HandleProtocol(efi_image, &entry_li_guid, (void **)&li) == EFI_SUCCESS && li) {
		bi->image_base = (uint64_t)(uintptr_t)li->ImageBase;
		bi->image_size = li->ImageSize;
		entry_cmdline(bi, li);
	}
	bi->rsdp = entry_find_rsdp();
	if (bi->fb.format != BOOT_FB_NONE)
		fwcon_printf("framebuffer %ux%u at 0x%lx\n", bi->fb.width, bi->fb.height,
			     (unsigned long)bi->fb.base);
	else
		fwcon_printf("warning: no usable graphics output, serial console only\n");
	if (!bi->rsdp)
		fwcon_printf("warning: no ACPI RSDP, the kernel will use one CPU\n");
}

/* Low pages the kernel must not reuse: the AP start code (SIPI needs them
 * below 1 MiB). */
static void entry_trampoline(struct boot_info *bi)
{
	EFI_PHYSICAL_ADDRESS tramp = 0x9f000;
	if (efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, EFI_TRAMPOLINE_PAGES,
				  &tramp) == EFI_SUCCESS && tramp >= 0x1000)
		bi->trampoline = tramp;
	else
		fwcon_printf("warning: no free memory below 1 MiB for the AP start\n");
}

/* The boot volume (NULL, with the reason in bi->load_error, when it cannot
 * be opened), then its \llm.cfg and the load options into bi->cfg and cb. */
static EFI_FILE_HANDLE entry_config(struct boot_info *bi, struct cfg_boot *cb)
{
	static char cfgtext[16384];
	EFI_FILE_HANDLE root = esp_open_root();
	if (!root) {
		snprintf(bi->load_error, sizeof bi->load_error, "no model: cannot open the boot volume");
		fwcon_printf("error: %s\n", bi->load_error);
	} else {
		int64_t n = esp_read_small(root, L"\\llm.cfg", cfgtext, sizeof cfgtext);
		if (n >= 0) {
			fwcon_printf("reading \\llm.cfg\n");
			cfg_parse(cfgtext, (size_t)n, false, &bi->cfg, cb, entry_cfg_warn, "llm.cfg line");
		}
	}
	if (bi->cmdline[0]) {
		fwcon_printf("options: %s\n", bi->cmdline);
		size_t n = 0;
		while (bi->cmdline[n])
			n++;
		cfg_parse(bi->cmdline, n, true, &bi->cfg, cb, entry_cfg_warn, "option");
	}
	return root;
}

/* Picks and loads the model: the one there is, or the menu's choice. */
static void entry_model(struct boot_info *bi, EFI_FILE_HANDLE root, const struct cfg_boot *cb)
{
	static struct esp_entry files[EFI_MAX_MODELS], models[EFI_MAX_MODELS];
	int nf = esp_list_models(root, files, EFI_MAX_MODELS);
	int n = esp_menu_models(files, nf, models), def = 0;

	if (n == 0) {
		snprintf(bi->load_error, sizeof bi->load_error,
			       "no model: no .gguf file in \\ or \\models\\ on the boot volume");
		fwcon_printf("%s\n", bi->load_error);
		return;
	}
	if (bi->cfg.model[0]) {
		int i = 0;
		while (i < n && !cfg_model_matches(bi->cfg.model, models[i].path))
			i++;
		if (i < n)
			def = i;
		else
			fwcon_printf("warning: llm.cfg model=%s is not on this volume\n",
				     bi->cfg.model);
	}
	int pick = n == 1 ? 0 : menu_choose(models, n, def, cb->timeout);
	/* a model that fails to load: offer the others (the timeout now means
	 * no model, so an unattended boot does not try them all) */
	while (pick >= 0 &&
	       modload_load(bi, root, files, nf, &models[pick], (uint64_t)cb->chunk_mib << 20) && n > 1) {
		fwcon_printf("Choose another model, or Esc to continue without one.\n");
		pick = menu_choose(models, n, -1, cb->timeout);
	}
	if (pick < 0 && !bi->load_error[0])
		snprintf(bi->load_error, sizeof bi->load_error,
			       "no model: none chosen in the boot menu");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct boot_info *bi = &entry_bi;
	struct cfg_boot cb = { .timeout = CFG_DEFAULT_TIMEOUT };
	EFI_PHYSICAL_ADDRESS kstack = 0;

	entry_firmware(bi, image, st);    /* tables, watchdog off, screen, banner, CPU, TSC rate */
	entry_image(bi);                  /* load address, options, ACPI RSDP */
	entry_trampoline(bi);             /* a page below 1 MiB for the AP start */
	EFI_FILE_HANDLE root = entry_config(bi, &cb); /* the boot volume, \llm.cfg, options */
	if (root) {
		entry_model(bi, root, &cb); /* the menu, the model read into memory */
		root->Close(root);
	}
	/* the stack kmain starts on, in memory the kernel keeps */
	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, EFI_KSTACK_PAGES, &kstack) !=
	    EFI_SUCCESS) {
		fwcon_printf("fatal: out of memory for the kernel stack\n");
		return EFI_OUT_OF_RESOURCES;
	}
	memmap_fragment(cb.split_map);    /* test knob: llm.cfg split_map=N (0: nothing) */
	fwcon_printf("Leaving the firmware.\n");
	if (memmap_exit(bi) != 0) {       /* the final memory map, ExitBootServices */
		fwcon_printf("fatal: ExitBootServices failed\n");
		return EFI_ABORTED;
	}
	/* No firmware from here on (except efi_reset_system). Interrupts off
	 * until the kernel has its own IDT. */
	cli();
	switch_stack(kstack + EFI_KSTACK_PAGES * 4096ull, (void (*)(void))kmain, (uint64_t)(uintptr_t)bi);
}

void efi_reset_system(bool shutdown)
{
	if (efi_rt)
		efi_rt->ResetSystem(shutdown ? EfiResetShutdown : EfiResetCold, EFI_SUCCESS, 0, NULL);
}
