/* CRC-32 (zlib polynomial), slicing-by-8 with tables built on first use. */
#include "fs/crc32.h"

static uint32_t crc32_tab[8][256];
static int crc32_ready;

/* Not thread-safe on first use; the boot phase runs on one CPU. */
static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc32_tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc32_tab[t][i] = (crc32_tab[t - 1][i] >> 8) ^
					  crc32_tab[0][crc32_tab[t - 1][i] & 0xff];
	crc32_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	if (!crc32_ready)
		crc32_init();
	crc = ~crc;
	while (n && ((uintptr_t)p & 7)) {
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		n--;
	}
	while (n >= 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		crc = crc32_tab[7][lo & 0xff] ^ crc32_tab[6][(lo >> 8) & 0xff] ^
		      crc32_tab[5][(lo >> 16) & 0xff] ^ crc32_tab[4][lo >> 24] ^
		      crc32_tab[3][p[4]] ^ crc32_tab[2][p[5]] ^
		      crc32_tab[1][p[6]] ^ crc32_tab[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
