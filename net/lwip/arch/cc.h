/*
 * lwIP's compiler/platform port for the OS build (lwIP includes it from
 * lwip/arch.h): our freestanding libc has no <inttypes.h>, so the printf
 * formats are spelled out; diagnostics go to the console, assertions panic
 * (they are lwIP's invariants, not bad input).
 */
#ifndef NET_LWIP_ARCH_CC_H
#define NET_LWIP_ARCH_CC_H

#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN

#define LWIP_NO_INTTYPES_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint32_t lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x) \
	do { \
		kprintf x; \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP: assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif
