/*
 * The boot-services phase: everything that talks to the UEFI firmware.
 * efi_main (efi/entry.c) runs the steps below in order, fills one
 * struct boot_info (core/boot_info.h), leaves boot services and calls kmain.
 *
 *   gop_init       pick a graphics mode, describe the framebuffer
 *   esp_*          the FAT volume we were loaded from: list *.gguf, read \llm.cfg
 *   menu_choose    boot menu when several models are present
 *   modload_load   read the model into 2 MiB-aligned chunks, CRC-32, checks
 *   memmap_exit    final memory map + ExitBootServices (retry loop)
 *
 * State at kmain(bi): boot services exited, interrupts off (cli), still on
 * the firmware's GDT, IDT and identity-mapped page tables (usually in
 * RECLAIMABLE memory: replace them before reusing it), running on a
 * EFI_KSTACK_PAGES stack in LOADER memory. bi lives in our image (LOADER).
 * Everything efi/ allocated is EfiLoaderData (BOOT_MEM_LOADER): the model
 * chunks, the trampoline pages, that stack.
 *
 * Only this directory includes gnu-efi headers. We do not link libefi (its
 * memcpy/memset would clash with lib/): the console formats with lib/'s
 * snprintf, CPU instructions come from core/x86.h, the few firmware helpers
 * we need (console, GUIDs) are here. Everything is single-threaded (boot
 * CPU only).
 */
#ifndef EFI_EFI_H
#define EFI_EFI_H

#include <efi.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/boot_info.h"
#include "lib/include/stdio.h" /* lib/printf.c, the kernel's own formatter */

#define EFI_MAX_MODELS 64 /* .gguf files listed (a split model's count singly) */
#define EFI_TRAMPOLINE_PAGES 2      /* below 1 MiB, for the AP start (smp/) */
#define EFI_KSTACK_PAGES 16         /* the stack kmain starts on (LOADER memory) */

extern EFI_HANDLE efi_image;
extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;
extern EFI_RUNTIME_SERVICES *efi_rt;
extern uint64_t efi_tsc_hz; /* estimated with Stall() at entry, for MB/s */

/* ---- efi/fwcon.c: the firmware text console (OVMF mirrors it to serial) ----
 * Formats as snprintf (lib/printf.c). */
void fwcon_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Wait up to ms milliseconds (ms < 0: forever) for a key. Returns true with
 * the UEFI scan code and character, false on timeout. */
bool fwcon_getkey(int64_t ms, uint16_t *scan, uint16_t *ch);

/* ---- efi/gop.c ---- */
/* Chooses the current mode if it is at least 1024x768, else the smallest mode
 * that is; fills fb (format BOOT_FB_NONE when there is no usable GOP). */
void gop_init(struct boot_fb *fb);

/* ---- efi/esp.c: files on the boot volume ---- */
struct esp_entry {
	char path[BOOT_NAME_MAX];     /* "\models\x.gguf" */
	CHAR16 wpath[BOOT_NAME_MAX];
	uint64_t size;                /* a menu entry of a split model: its files' found */
	uint32_t n_parts;             /* a menu entry: 1, or its split model's file count */
	int file;                     /* a menu entry: its file in the listing */
};
/* Root directory of the volume this image was loaded from, or NULL. */
EFI_FILE_HANDLE esp_open_root(void);
/* *.gguf in \ and in \models\, sorted (root first); returns the count. */
int esp_list_models(EFI_FILE_HANDLE root, struct esp_entry *out, int max);
/* The boot menu's entries for the n files listed: one per model, the files
 * of a split model (ai/gguf_split.h) as one entry, at the lowest-numbered
 * file present. Returns the count. */
int esp_menu_models(const struct esp_entry *files, int n, struct esp_entry *menu);
/* Reads a whole small file (at most max - 1 bytes, NUL-terminated) into buf.
 * Returns its length, or -1 if it does not exist or cannot be read. */
int64_t esp_read_small(EFI_FILE_HANDLE root, const CHAR16 *path, char *buf, size_t max);

/* ---- efi/menu.c ---- */
/* Shows the models, returns the chosen index, or -1 for "boot without a
 * model" (Esc). def is what the timeout picks (-1: no model); timeout_s <= 0
 * returns def at once. */
int menu_choose(const struct esp_entry *e, int n, int def, int timeout_s);

/* ---- efi/modload.c ---- */
/* Loads the model of menu entry e (its file, or all files of its split
 * model, found among the n listed files) into bi->model (chunks, sizes,
 * crc32) and sets bi->has_model; chunks are at most max_chunk bytes (0: no
 * limit; a multiple of 2 MiB). On any failure (a missing, extra or
 * mismatched file of a split model among them): one clear message naming
 * the file on the console and in bi->load_error, all memory freed, returns
 * -1. */
int modload_load(struct boot_info *bi, EFI_FILE_HANDLE root, const struct esp_entry *files, int n,
		 const struct esp_entry *e, uint64_t max_chunk);

/* ---- efi/memmap.c ---- */
/* Bytes of EfiConventionalMemory in the current map, 0 on failure. */
uint64_t memmap_free_bytes(void);
/* Test knob (llm.cfg split_map=N): N single pages of alternating types, so
 * the memory map gets about N more entries. */
void memmap_fragment(uint32_t n);
/* Final memory map into bi->ranges, then ExitBootServices, retrying when
 * the map changed under us. Returns 0, or -1 if the firmware kept refusing
 * (boot services are then still up). No console output inside. */
int memmap_exit(struct boot_info *bi);

#endif
