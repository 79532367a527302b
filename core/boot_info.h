/*
 * The hand-over from the boot-services phase (efi/) to the kernel (core/).
 * efi/ fills one struct boot_info, exits boot services and calls kmain();
 * after that nothing touches the firmware except efi_reset_system().
 * Plain C types only: no gnu-efi header is needed to read this.
 */
#ifndef CORE_BOOT_INFO_H
#define CORE_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_CHUNKS 64
#define BOOT_MAX_PARTS 32 /* files of a split model (ai/gguf_split.h) */
#define BOOT_NAME_MAX 128
#define BOOT_AUTORUN_MAX 1024

enum boot_mem_type {
	BOOT_MEM_USABLE,      /* free conventional memory */
	BOOT_MEM_RECLAIMABLE, /* boot-services code/data: free once we own the machine */
	BOOT_MEM_LOADER,      /* our image, the model, boot_info, page tables: keep */
	BOOT_MEM_RUNTIME,     /* UEFI runtime services code/data: keep, map */
	BOOT_MEM_ACPI_RECLAIM,
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_MMIO,
	BOOT_MEM_RESERVED,
};

struct boot_mem_range {
	uint64_t base;  /* physical, 4 KiB aligned */
	uint64_t pages; /* 4 KiB pages */
	uint32_t type;  /* enum boot_mem_type */
	uint32_t efi_type;
	uint64_t attr;  /* EFI memory attributes */
};

enum boot_fb_format { BOOT_FB_NONE, BOOT_FB_RGBX, BOOT_FB_BGRX, BOOT_FB_BITMASK };

struct boot_fb {
	uint64_t base, size;
	uint32_t width, height;
	uint32_t pitch; /* pixels per scan line */
	uint32_t bpp;   /* bits per pixel: 32, or 16 for 5:6:5 / 5:5:5 bit-mask modes */
	uint32_t format; /* enum boot_fb_format */
	uint32_t red_mask, green_mask, blue_mask;
};

/* A model read into memory from the ESP: one file, or the n_parts files of
 * a split model (NAME-0000k-of-0000N.gguf, ai/gguf_split.h), each in one
 * or more physically separate chunks (RAM may be fragmented). The chunks
 * are in file order, part p's first chunk after part p-1's last; mm/ maps
 * each part contiguously, the parts one after the other. */
struct boot_chunk {
	uint64_t phys; /* 2 MiB aligned where the firmware allowed */
	uint64_t len;  /* bytes of file data in this chunk */
};

struct boot_file {
	char name[BOOT_NAME_MAX]; /* path on the ESP, e.g. "\\models\\x.gguf"; split: the first file */
	uint64_t size;            /* bytes of all parts */
	uint32_t n_parts;         /* 1, or the files of a split model */
	uint64_t part_size[BOOT_MAX_PARTS];
	uint32_t n_chunks;
	struct boot_chunk chunks[BOOT_MAX_CHUNKS];
	uint32_t crc32; /* of all parts' bytes in order (zlib's CRC-32), computed while reading */
};

/* Settings from \llm.cfg (0 / empty = not given) */
struct boot_config {
	char model[BOOT_NAME_MAX];
	uint32_t ctx;
	float temp;
	bool temp_set;
	uint64_t seed;
	bool seed_set;
	uint32_t baud;
	uint32_t threads;
	bool debug; /* debug=1 enables debug shell commands */
	bool reset_acpi; /* reset=acpi: poweroff/reboot skip the firmware's ResetSystem */
	uint16_t serial; /* serial=: 0 auto (SPCR, else every COM port that answers),
			  * BOOT_SERIAL_OFF, else the one UART's I/O port */
	char keymap[8];   /* keyboard layout name ("" = us) */
	char autorun[BOOT_AUTORUN_MAX]; /* shell commands run at boot, one per line */
	/* network (net/): IPv4 addresses as a << 24 | b << 16 | c << 8 | d */
	bool net_off;       /* net=off: no card is touched */
	uint32_t ip, netmask, gateway; /* ip 0: DHCP */
	bool api;           /* api=on: the HTTP API starts at boot */
	char api_key[128];  /* "" : no key (the API is open) */
	uint16_t port;      /* the API's TCP port, 0: 8080 */
};
#define BOOT_SERIAL_OFF 0xFFFF

struct boot_info {
	uint32_t n_ranges;
	struct boot_mem_range *ranges; /* n_ranges, sorted by base, in LOADER memory:
					* as many as the firmware's map needs */
	struct boot_fb fb;
	uint64_t rsdp;            /* physical address of the ACPI RSDP, 0 if none */
	uint64_t image_base, image_size; /* our PE image in memory */
	uint64_t firmware_cr3;    /* CR3 at entry, to show that ours differs */
	uint64_t trampoline;      /* reserved low page(s) (< 1 MiB) for the AP start, 0 if none */
	uint64_t tsc_at_entry;
	uint64_t fw_tsc_hz;       /* TSC rate measured with the firmware's Stall(), 0 if none */
	char firmware_vendor[64];
	uint32_t firmware_revision;
	bool has_model;
	struct boot_file model;
	char load_error[256];     /* why no model was loaded, "" if none/fine */
	struct boot_config cfg;
	char cmdline[256];        /* load options given to the image */
};

/* Kernel entry, called once boot services have been exited. */
void kmain(struct boot_info *bi) __attribute__((noreturn));

/* UEFI runtime ResetSystem (efi/): shutdown if true, else cold reset.
 * Returns only if the firmware call failed. */
void efi_reset_system(bool shutdown);

#endif
