/* Unicode helpers for the tokenizers: UTF-8 decode/encode and category lookup. */
#include "ai/unicode.h"

int unicode_len_utf8(uint8_t c)
{
	static const uint8_t len[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
	return len[c >> 4];
}

int unicode_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	int len = unicode_len_utf8(c);
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xC0) == 0x80 || (size_t)len > n)
		goto invalid;
	v = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return len;
invalid:
	*cp = UNICODE_INVALID;
	return 1;
}

int unicode_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | ((cp >> 18) & 0x07));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

enum unicode_cat unicode_category(uint32_t cp)
{
	int lo = 0, hi = unicode_n_ranges - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (cp < unicode_ranges[mid].lo)
			hi = mid - 1;
		else if (cp > unicode_ranges[mid].hi)
			lo = mid + 1;
		else
			return (enum unicode_cat)unicode_ranges[mid].cat;
	}
	return UCAT_OTHER;
}

int unicode_is_space(uint32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202F || cp == 0x205F || cp == 0x3000;
}
