/*
 * CRC-32 as zlib and PNG compute it (reflected polynomial 0xEDB88320, initial
 * and final XOR 0xFFFFFFFF), so crc32_update(0, buf, n) == zlib.crc32(buf).
 * Feed a file in pieces by passing the previous result back in.
 * Portable: no libc, usable in the boot phase and in host unit tests.
 */
#ifndef FS_CRC32_H
#define FS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *buf, size_t n);

#endif
