/* \llm.cfg parser: key=value lines, warnings instead of failures. */
#include "core/keymap.h"
#include "fs/cfg.h"

static bool cfg_is_blank(char c) { return c == ' ' || c == '\t'; }

static bool cfg_eq(const char *s, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n && lit[i]; i++)
		if (s[i] != lit[i])
			return false;
	return i == n && !lit[i];
}

/* cfg_eq ignoring ASCII case (for values such as COM2). */
static bool cfg_ieq(const char *s, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n && lit[i]; i++)
		if ((s[i] | 0x20) != (lit[i] | 0x20))
			return false;
	return i == n && !lit[i];
}

/* Unsigned decimal; false on empty, junk or overflow past max. */
static bool cfg_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Decimal fraction "12", "0.7", ".5", "1." (no exponent, no sign). */
static bool cfg_float(const char *s, size_t n, float *out)
{
	double v = 0, scale = 1;
	bool dot = false, digit = false;
	if (!n || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
		} else if (s[i] >= '0' && s[i] <= '9') {
			digit = true;
			if (dot) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			} else {
				v = v * 10 + (s[i] - '0');
			}
		} else {
			return false;
		}
	}
	if (!digit)
		return false;
	*out = (float)v;
	return true;
}

/* Dotted IPv4 "a.b.c.d" -> a << 24 | b << 16 | c << 8 | d. */
static bool cfg_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t start = i;
		uint64_t b;
		while (i < n && s[i] != '.')
			i++;
		if (i - start > 3 || !cfg_u64(s + start, i - start, 255, &b))
			return false;
		v = v << 8 | (uint32_t)b;
		if (part < 3) {
			if (i == n)
				return false;
			i++; /* the dot */
		}
	}
	if (i != n)
		return false;
	*out = v;
	return true;
}

/* Hex digits only, at most 16 of them. */
static bool cfg_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = (char)(s[i] | 0x20);
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool cfg_bool(const char *s, size_t n, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	for (int i = 0; i < 4; i++) {
		if (cfg_eq(s, n, yes[i])) {
			*out = true;
			return true;
		}
		if (cfg_eq(s, n, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* One entry "key=value" (already trimmed, comment removed). */
static int cfg_entry(const char *s, size_t n, bool words, int line, struct boot_config *cfg,
		     struct cfg_boot *boot, cfg_warn_fn warn, void *ctx)
{
	size_t eq = 0, kn, vn;
	const char *v;
	uint64_t u;

	while (eq < n && s[eq] != '=')
		eq++;
	if (eq == n) {
		if (words && cfg_eq(s, n, "debug")) {
			cfg->debug = true;
			return 0;
		}
		warn(ctx, line, "line without '=' ignored", s, n);
		return 1;
	}
	kn = eq;
	while (kn && cfg_is_blank(s[kn - 1]))
		kn--;
	v = s + eq + 1;
	vn = n - eq - 1;
	while (vn && cfg_is_blank(*v)) {
		v++;
		vn--;
	}
	if (cfg_eq(s, kn, "model")) {
		if (!vn || vn >= BOOT_NAME_MAX)
			goto bad;
		for (size_t i = 0; i < vn; i++) {
			if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
				goto bad;
			cfg->model[i] = v[i];
		}
		cfg->model[vn] = 0;
	} else if (cfg_eq(s, kn, "ctx")) {
		if (!cfg_u64(v, vn, 1u << 20, &u) || u == 0)
			goto bad;
		cfg->ctx = (uint32_t)u;
	} else if (cfg_eq(s, kn, "temp")) {
		float t;
		if (!cfg_float(v, vn, &t) || t > 100)
			goto bad;
		cfg->temp = t;
		cfg->temp_set = true;
	} else if (cfg_eq(s, kn, "seed")) {
		if (!cfg_u64(v, vn, UINT64_MAX, &u))
			goto bad;
		cfg->seed = u;
		cfg->seed_set = true;
	} else if (cfg_eq(s, kn, "baud")) {
		if (!cfg_u64(v, vn, 115200, &u) || u < 300 || 115200 % u)
			goto bad;
		cfg->baud = (uint32_t)u;
	} else if (cfg_eq(s, kn, "threads")) {
		if (!cfg_u64(v, vn, 256, &u) || u == 0)
			goto bad;
		cfg->threads = (uint32_t)u;
	} else if (cfg_eq(s, kn, "debug")) {
		if (!cfg_bool(v, vn, &cfg->debug))
			goto bad;
	} else if (cfg_eq(s, kn, "net")) {
		bool on;
		if (!cfg_bool(v, vn, &on))
			goto bad;
		cfg->net_off = !on;
	} else if (cfg_eq(s, kn, "ip")) {
		uint32_t a;
		if (!cfg_ipv4(v, vn, &a) || !a)
			goto bad;
		cfg->ip = a;
	} else if (cfg_eq(s, kn, "netmask")) {
		uint32_t a;
		/* contiguous ones from the top: ~a + 1 is a power of two */
		if (!cfg_ipv4(v, vn, &a) || !a || ((~a + 1) & ~a))
			goto bad;
		cfg->netmask = a;
	} else if (cfg_eq(s, kn, "gateway")) {
		uint32_t a;
		if (!cfg_ipv4(v, vn, &a))
			goto bad;
		cfg->gateway = a;
	} else if (cfg_eq(s, kn, "api")) {
		if (!cfg_bool(v, vn, &cfg->api))
			goto bad;
	} else if (cfg_eq(s, kn, "api_key")) {
		if (!vn || vn >= sizeof cfg->api_key)
			goto bad;
		for (size_t i = 0; i < vn; i++)
			if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] > 0x7e)
				goto bad;
		for (size_t i = 0; i < vn; i++)
			cfg->api_key[i] = v[i];
		cfg->api_key[vn] = 0;
	} else if (cfg_eq(s, kn, "port")) {
		if (!cfg_u64(v, vn, 65535, &u) || u == 0)
			goto bad;
		cfg->port = (uint16_t)u;
	} else if (cfg_eq(s, kn, "reset")) {
		if (cfg_ieq(v, vn, "acpi"))
			cfg->reset_acpi = true;
		else if (cfg_ieq(v, vn, "firmware"))
			cfg->reset_acpi = false;
		else
			goto bad;
	} else if (cfg_eq(s, kn, "serial")) {
		static const uint16_t com[4] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
		static const char *const names[4] = { "com1", "com2", "com3", "com4" };
		int k = 0;
		while (k < 4 && !cfg_ieq(v, vn, names[k]))
			k++;
		if (k < 4)
			cfg->serial = com[k];
		else if (cfg_ieq(v, vn, "off"))
			cfg->serial = BOOT_SERIAL_OFF;
		else if (cfg_ieq(v, vn, "auto"))
			cfg->serial = 0;
		else if (vn > 2 && v[0] == '0' && (v[1] | 0x20) == 'x' && cfg_hex(v + 2, vn - 2, &u) &&
			 u >= 0x100 && u <= 0xFFF8)
			cfg->serial = (uint16_t)u;
		else
			goto bad;
	} else if (cfg_eq(s, kn, "timeout")) {
		if (!cfg_u64(v, vn, 60, &u))
			goto bad;
		boot->timeout = (int)u;
	} else if (cfg_eq(s, kn, "split_map")) {
		if (!cfg_u64(v, vn, 100000, &u))
			goto bad;
		boot->split_map = (uint32_t)u;
	} else if (cfg_eq(s, kn, "keymap")) {
		const struct keymap *m = keymap_find(v, vn);
		if (!m)
			goto bad;
		const char *name = keymap_name(m);
		size_t i = 0;
		for (; name[i] && i + 1 < sizeof cfg->keymap; i++)
			cfg->keymap[i] = name[i];
		cfg->keymap[i] = 0;
	} else if (cfg_eq(s, kn, "autorun")) {
		size_t used = 0;
		while (used < BOOT_AUTORUN_MAX && cfg->autorun[used])
			used++;
		if (!vn || used + vn + 2 > BOOT_AUTORUN_MAX)
			goto bad;
		for (size_t i = 0; i < vn; i++) {
			if ((unsigned char)v[i] < 0x20)
				goto bad;
		}
		for (size_t i = 0; i < vn; i++)
			cfg->autorun[used++] = v[i];
		cfg->autorun[used++] = '\n';
		cfg->autorun[used] = 0;
	} else if (cfg_eq(s, kn, "chunk_mib")) {
		if (!cfg_u64(v, vn, 1u << 20, &u) || u == 0)
			goto bad;
		boot->chunk_mib = (uint32_t)u;
	} else {
		warn(ctx, line, "unknown key ignored", s, kn);
		return 1;
	}
	return 0;
bad:
	warn(ctx, line, "bad value ignored", s, n);
	return 1;
}

int cfg_parse(const char *text, size_t len, bool words, struct boot_config *cfg,
	      struct cfg_boot *boot, cfg_warn_fn warn, void *ctx)
{
	int nwarn = 0, line = 1;
	size_t i = 0;

	while (i < len) {
		size_t start = i, end;
		while (i < len && text[i] != '\n' && text[i] != '\r' &&
		       !(words && cfg_is_blank(text[i])))
			i++;
		end = i;
		for (size_t k = start; k < end; k++) {
			if (text[k] == '#') {
				end = k;
				break;
			}
		}
		while (start < end && cfg_is_blank(text[start]))
			start++;
		while (end > start && cfg_is_blank(text[end - 1]))
			end--;
		if (end > start)
			nwarn += cfg_entry(text + start, end - start, words, line, cfg,
					   boot, warn, ctx);
		if (i < len && (text[i] == '\n' || words))
			line++;
		i++;
	}
	return nwarn;
}

static char cfg_fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c == '/' ? '\\' : c;
}

bool cfg_model_matches(const char *cfg_model, const char *path)
{
	size_t mn = 0, pn = 0;
	const char *m = cfg_model;

	if (cfg_fold(*m) == '\\')
		m++;
	while (m[mn])
		mn++;
	while (path[pn])
		pn++;
	if (!mn || mn > pn)
		return false;
	/* path ends with m, at a separator boundary */
	for (size_t i = 0; i < mn; i++)
		if (cfg_fold(m[i]) != cfg_fold(path[pn - mn + i]))
			return false;
	return pn == mn || path[pn - mn - 1] == '\\' || path[pn - mn - 1] == '/';
}
