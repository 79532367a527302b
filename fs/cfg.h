/*
 * \llm.cfg and the image's load options: "key=value" settings for the boot.
 *
 *   # comment                 (also after a value: "ctx=512  # small")
 *   model=tinyllama.gguf      file name, matched against \NAME and \models\NAME
 *   ctx=2048                  context size, 1..1048576
 *   temp=0.7                  sampling temperature, 0..100
 *   seed=42                   RNG seed, any u64
 *   baud=115200               serial speed, a divisor of 115200 (>= 300)
 *   threads=4                 cores used, 1..256
 *   debug=1                   debug shell commands (1/0, yes/no, on/off, true/false)
 *   serial=com2               the serial console: auto (default: the ACPI SPCR's
 *                             port, else every COM1-COM4 that answers), com1..com4,
 *                             an I/O port such as 0x2f8, or off
 *   reset=acpi                poweroff/reboot skip the firmware's ResetSystem and
 *                             use ACPI directly (a debug setting; default firmware)
 *   timeout=5                 boot-menu timeout in seconds, 0..60 (0: no menu)
 *   keymap=de                 keyboard layout: us, uk, de, fr (core/keymap.h)
 *   autorun=cpus              a shell command run at the prompt at boot;
 *                             each autorun= line adds one, in order (for
 *                             machines without a keyboard)
 *   chunk_mib=2               largest model chunk in MiB (a test knob that makes
 *                             the loader split the model as if RAM were fragmented)
 *   split_map=600             a test knob: the loader allocates that many single
 *                             pages of alternating types before leaving the
 *                             firmware, so the memory map grows by as many entries
 *   net=off                   leave the network cards alone (on/off like debug)
 *   ip=192.168.1.50           static IPv4 address instead of DHCP
 *   netmask=255.255.255.0     with ip= (default 255.255.255.0)
 *   gateway=192.168.1.1       with ip= (default: none)
 *   api=on                    start the HTTP API at boot (default off)
 *   api_key=SECRET            clients must send "Authorization: Bearer SECRET";
 *                             1..127 printable characters, no blanks
 *   port=8080                 the API's TCP port, 1..65535
 *
 * An unknown key or a bad value is reported through the warn callback and
 * skipped; parsing never fails and never reads outside text[0..len).
 * Portable (no libc): built into the OS and into host unit tests.
 */
#ifndef FS_CFG_H
#define FS_CFG_H

#include <stddef.h>
#include "core/boot_info.h"

#define CFG_DEFAULT_TIMEOUT 5

/* Settings for the boot phase itself (not passed to the kernel). */
struct cfg_boot {
	int timeout;        /* menu timeout in seconds */
	uint32_t chunk_mib; /* 0: no limit */
	uint32_t split_map; /* pages of alternating types to allocate (test knob) */
};

/* msg is a short sentence; arg (arg_len bytes, not NUL-terminated) is the
 * offending key or value. line counts from 1 (words mode: entry index). */
typedef void (*cfg_warn_fn)(void *ctx, int line, const char *msg,
			    const char *arg, size_t arg_len);

/* Parse text into cfg and boot (fields left untouched for absent keys).
 * words: entries are separated by blanks too (load options, e.g.
 * "debug model=x.gguf"), and a bare "debug" means debug=1.
 * Returns the number of warnings. */
int cfg_parse(const char *text, size_t len, bool words, struct boot_config *cfg,
	      struct cfg_boot *boot, cfg_warn_fn warn, void *ctx);

/* True if path ("\models\x.gguf") names the file cfg_model ("x.gguf",
 * "models\x.gguf", "/models/x.gguf"), ignoring case and the separator kind. */
bool cfg_model_matches(const char *cfg_model, const char *path);

#endif
