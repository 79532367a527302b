/*
 * Host unit tests of the portable boot-phase helpers: CRC-32 and the
 * llm.cfg parser (fs/), the GGUF size scanner (ai/ggufscan.c). Prints "PASS: x" / "FAIL: x"
 * lines; exit status 1 if anything failed. Optional argument: GGUF files
 * whose scanned size must match their real size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ggufscan.h"
#include "core/keymap.c"
#include "fs/cfg.c"
#include "fs/crc32.c"

static int fails;

static void check(bool ok, const char *name)
{
	printf("%s: bootfs %s\n", ok ? "PASS" : "FAIL", name);
	fails += !ok;
}

/* ---- CRC-32 ---- */

static uint32_t crc_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static void test_crc(void)
{
	static uint8_t buf[10007];
	bool ok = crc32_update(0, "123456789", 9) == 0xCBF43926u && crc32_update(0, "", 0) == 0;
	check(ok, "crc32 check value");
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7919u >> 3);
	ok = true;
	for (size_t start = 0; start < 9; start++) {
		uint32_t c = 0;
		size_t n = sizeof buf - start;
		/* feed in odd pieces: same as one call and as the bitwise reference */
		for (size_t off = 0; off < n;) {
			size_t k = (off * 13 + 5) % 97 + 1;
			if (k > n - off)
				k = n - off;
			c = crc32_update(c, buf + start + off, k);
			off += k;
		}
		ok &= c == crc32_update(0, buf + start, n) && c == crc_ref(buf + start, n);
	}
	check(ok, "crc32 pieces and alignment");
}

/* ---- llm.cfg ---- */

static int nwarn;
static char lastwarn[200];

static void warn(void *ctx, int line, const char *msg, const char *arg, size_t n)
{
	(void)ctx;
	nwarn++;
	snprintf(lastwarn, sizeof lastwarn, "%d %s %.*s", line, msg, (int)n, arg);
}

static void test_cfg(void)
{
	struct boot_config c;
	struct cfg_boot b = { .timeout = 5 };
	int w;
	const char *t = "# comment\r\n"
			"model = tiny.gguf   # the default\r\n"
			"ctx=512\n"
			"temp=0.75\n"
			"seed=18446744073709551615\n"
			"baud=57600\n"
			"threads=4\n"
			"debug=yes\n"
			"timeout=0\n"
			"chunk_mib=4\n"
			"reset=acpi\n"
			"split_map=600\n"
			"serial=COM2\n"
			"\n   \n";
	memset(&c, 0, sizeof c);
	nwarn = 0;
	w = cfg_parse(t, strlen(t), false, &c, &b, warn, NULL);
	check(w == 0 && nwarn == 0 && !strcmp(c.model, "tiny.gguf") && c.ctx == 512 &&
		      c.temp_set && c.temp > 0.749f && c.temp < 0.751f && c.seed_set &&
		      c.seed == UINT64_MAX && c.baud == 57600 && c.threads == 4 && c.debug &&
		      b.timeout == 0 && b.chunk_mib == 4 && c.reset_acpi && c.serial == 0x2F8 &&
		      b.split_map == 600,
	      "cfg all keys");

	const char *ser = "serial=0x3e8\nreset=firmware\nserial=0x10\nserial=0xg\nserial=com5\n"
			  "reset=bios\n";
	memset(&c, 0, sizeof c);
	c.reset_acpi = true;
	nwarn = 0;
	cfg_parse(ser, strlen(ser), false, &c, &b, warn, NULL);
	check(nwarn == 4 && c.serial == 0x3E8 && !c.reset_acpi, "cfg serial= port, bad ports and reset= values");
	cfg_parse("serial=off", 10, false, &c, &b, warn, NULL);
	check(c.serial == BOOT_SERIAL_OFF, "cfg serial=off");

	const char *bad = "colour=blue\nctx=-1\nctx=99999999999999999999\ntemp=1e3\nbaud=12345\n"
			  "threads=0\ndebug=maybe\ntimeout=61\nnoequals\nseed=\nchunk_mib=0\nctx=256\n";
	memset(&c, 0, sizeof c);
	b.timeout = 5;
	b.chunk_mib = 0;
	nwarn = 0;
	w = cfg_parse(bad, strlen(bad), false, &c, &b, warn, NULL);
	check(w == 11 && nwarn == 11 && c.ctx == 256 && !c.debug && b.timeout == 5 && !c.seed_set &&
		      !b.chunk_mib &&
		      !strncmp(lastwarn, "11 ", 3),
	      "cfg bad values warn and are skipped");

	const char *net = "net=off\nip=10.0.2.15\nnetmask=255.255.255.0\ngateway=10.0.2.2\n"
			  "api=on\napi_key=s3cret-Key\nport=18080\n";
	memset(&c, 0, sizeof c);
	nwarn = 0;
	w = cfg_parse(net, strlen(net), false, &c, &b, warn, NULL);
	check(w == 0 && c.net_off && c.ip == 0x0A00020F && c.netmask == 0xFFFFFF00 &&
		      c.gateway == 0x0A000202 && c.api && !strcmp(c.api_key, "s3cret-Key") && c.port == 18080,
	      "cfg network keys");

	const char *badnet = "ip=1.2.3\nip=1.2.3.4.5\nip=256.1.1.1\nip=1..2.3\nip=0.0.0.0\n"
			     "netmask=255.0.255.0\nnetmask=0.0.0.0\ngateway=x\napi=maybe\n"
			     "api_key=two words\napi_key=\nport=0\nport=65536\nnet=down\nip=1.2.3.4 \n";
	memset(&c, 0, sizeof c);
	nwarn = 0;
	w = cfg_parse(badnet, strlen(badnet), false, &c, &b, warn, NULL);
	check(w == 14 && nwarn == 14 && c.ip == 0x01020304 && !c.netmask && !c.api && !c.api_key[0] &&
		      !c.port && !c.net_off,
	      "cfg bad network values warn and are skipped");

	const char *words = "BOOTX64.EFI debug model=x.gguf\tctx=64";
	memset(&c, 0, sizeof c);
	nwarn = 0;
	cfg_parse(words, strlen(words), true, &c, &b, warn, NULL);
	check(nwarn == 1 && c.debug && !strcmp(c.model, "x.gguf") && c.ctx == 64,
	      "cfg words mode (load options)");

	const char *kb = "keymap=DE\nautorun=cpus\nautorun = generate -n 4 Once upon\nkeymap=xx\n"
			 "autorun=\n";
	memset(&c, 0, sizeof c);
	nwarn = 0;
	cfg_parse(kb, strlen(kb), false, &c, &b, warn, NULL);
	check(nwarn == 2 && !strcmp(c.keymap, "de") &&
		      !strcmp(c.autorun, "cpus\ngenerate -n 4 Once upon\n"),
	      "cfg keymap= (a known layout) and autorun= (one command per line, in order)");
	memset(&c, 0, sizeof c);
	nwarn = 0;
	for (int i = 0; i < 200; i++)
		cfg_parse("autorun=echo 12345678\n", 22, false, &c, &b, warn, NULL);
	check(nwarn > 0 && strlen(c.autorun) < BOOT_AUTORUN_MAX && c.autorun[strlen(c.autorun) - 1] == '\n',
	      "cfg autorun= beyond BOOT_AUTORUN_MAX bytes is refused, the rest kept whole");

	/* no out-of-bounds read: a buffer that ends mid-key without NUL */
	char *odd = malloc(7);
	memcpy(odd, "ctx=12", 6);
	odd[6] = '3';
	memset(&c, 0, sizeof c);
	cfg_parse(odd, 6, false, &c, &b, warn, NULL);
	check(c.ctx == 12, "cfg respects the length");
	free(odd);

	check(cfg_model_matches("x.gguf", "\\x.gguf") && cfg_model_matches("X.GGUF", "\\models\\x.gguf") &&
		      cfg_model_matches("/models/x.gguf", "\\models\\x.gguf") &&
		      cfg_model_matches("models\\x.gguf", "\\models\\x.gguf") &&
		      !cfg_model_matches("x.gguf", "\\yx.gguf") &&
		      !cfg_model_matches("x.gguf", "\\x.gguf.bak"),
	      "cfg model name matching");
}

/* ---- GGUF scan ---- */

struct wbuf {
	uint8_t b[4096];
	size_t n;
};

static void w_u32(struct wbuf *w, uint32_t v) { memcpy(w->b + w->n, &v, 4); w->n += 4; }
static void w_u64(struct wbuf *w, uint64_t v) { memcpy(w->b + w->n, &v, 8); w->n += 8; }
static void w_str(struct wbuf *w, const char *s)
{
	w_u64(w, strlen(s));
	memcpy(w->b + w->n, s, strlen(s));
	w->n += strlen(s);
}

/* GGUF v3: 4 kv (alignment 64, a string, a string array, nested array),
 * tensors a: f32 [8, 2] at 0 and b: q8_0 [64, 3] at 64. */
static size_t make_gguf(struct wbuf *w, uint64_t *need)
{
	w->n = 0;
	w_u32(w, 0x46554747u);
	w_u32(w, 3);
	w_u64(w, 2);
	w_u64(w, 4);
	w_str(w, "general.alignment"); w_u32(w, 4); w_u32(w, 64);
	w_str(w, "general.name"); w_u32(w, 8); w_str(w, "tiny");
	w_str(w, "tokens"); w_u32(w, 9); w_u32(w, 8); w_u64(w, 2); w_str(w, "a"); w_str(w, "bc");
	w_str(w, "nested"); w_u32(w, 9); w_u32(w, 9); w_u64(w, 1);
	w_u32(w, 5); w_u64(w, 3); w_u32(w, 1); w_u32(w, 2); w_u32(w, 3);
	w_str(w, "a"); w_u32(w, 2); w_u64(w, 8); w_u64(w, 2); w_u32(w, 0); w_u64(w, 0);
	w_str(w, "b"); w_u32(w, 2); w_u64(w, 64); w_u64(w, 3); w_u32(w, 8); w_u64(w, 64);
	size_t meta = w->n;
	*need = (meta + 63) / 64 * 64 + 64 + 3 * 2 * 34;
	return meta;
}

static void test_scan(void)
{
	struct wbuf w;
	uint64_t need = 0, want;
	const char *why;
	size_t meta = make_gguf(&w, &want);

	int r = ggufscan(w.b, w.n, &need, &why);
	check(r == GGUFSCAN_OK && need == want, "ggufscan size of a small file");
	bool ok = true;
	for (size_t n = 0; n < meta; n++)
		ok &= ggufscan(w.b, n, &need, &why) == GGUFSCAN_MORE;
	check(ok, "ggufscan asks for more on every short prefix");

	struct wbuf m = w;
	m.b[0] = 'X';
	check(ggufscan(m.b, m.n, &need, &why) == GGUFSCAN_BAD && why, "ggufscan bad magic");
	m = w;
	m.b[4] = 1;
	check(ggufscan(m.b, m.n, &need, &why) == GGUFSCAN_BAD, "ggufscan version 1 refused");

	/* random corruption: must terminate without reading out of bounds
	 * (run under `make asan` to see a violation) */
	srand(1);
	int results[3] = { 0, 0, 0 };
	for (int it = 0; it < 20000; it++) {
		m = w;
		int k = 1 + rand() % 4;
		for (int j = 0; j < k; j++)
			m.b[rand() % meta] = (uint8_t)rand();
		size_t n = (size_t)rand() % (meta + 1);
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, m.b, n);
		r = ggufscan(copy, n, &need, &why);
		results[r + 1]++;
		free(copy);
	}
	printf("# ggufscan fuzz: %d bad, %d ok, %d more\n", results[0], results[1], results[2]);
	check(results[0] + results[1] + results[2] == 20000, "ggufscan survives corrupted input");
}

/* The split keys of a split model's file (u16 split.no 1, u16 split.count 3,
 * i32 split.tensors.count 5, as llama-gguf-split writes them), and their
 * absence in a plain file; a string split.no is refused. */
static void test_scan_split(void)
{
	struct wbuf w;
	struct ggufscan_info info;
	const char *why;
	w.n = 0;
	w_u32(&w, 0x46554747u);
	w_u32(&w, 3);
	w_u64(&w, 1);
	w_u64(&w, 3);
	w_str(&w, "split.no"); w_u32(&w, 2); memcpy(w.b + w.n, "\1\0", 2); w.n += 2;
	w_str(&w, "split.count"); w_u32(&w, 2); memcpy(w.b + w.n, "\3\0", 2); w.n += 2;
	w_str(&w, "split.tensors.count"); w_u32(&w, 5); w_u32(&w, 5);
	w_str(&w, "a"); w_u32(&w, 1); w_u64(&w, 8); w_u32(&w, 0); w_u64(&w, 0);
	int r = ggufscan_info(w.b, w.n, &info, &why);
	check(r == GGUFSCAN_OK && info.split.no == 1 && info.split.count == 3 && info.split.tensors_total == 5 &&
		      info.split.n_tensors == 1,
	      "ggufscan_info reads the split keys");
	size_t want;
	make_gguf(&w, &want);
	r = ggufscan_info(w.b, w.n, &info, &why);
	check(r == GGUFSCAN_OK && info.need == want && info.split.no == -1 && info.split.count == -1 &&
		      info.split.tensors_total == -1 && info.split.n_tensors == 2,
	      "ggufscan_info of a plain file: no split keys");
	w.n = 0;
	w_u32(&w, 0x46554747u);
	w_u32(&w, 3);
	w_u64(&w, 0);
	w_u64(&w, 1);
	w_str(&w, "split.no"); w_u32(&w, 8); w_str(&w, "1");
	check(ggufscan_info(w.b, w.n, &info, &why) == GGUFSCAN_BAD, "ggufscan_info refuses a string split.no");
}

static void test_files(int argc, char **argv)
{
	static uint8_t buf[1 << 22];
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint64_t need = 0;
		const char *why;
		char name[300];
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf, f);
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		fclose(f);
		int r = ggufscan(buf, n, &need, &why);
		snprintf(name, sizeof name, "ggufscan %s", strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i]);
		check(r == GGUFSCAN_OK && need <= (uint64_t)size && need + 4096 > (uint64_t)size, name);
	}
}

int main(int argc, char **argv)
{
	test_crc();
	test_cfg();
	test_scan();
	test_scan_split();
	test_files(argc, argv);
	return fails ? 1 : 0;
}
