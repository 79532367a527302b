/* lwIP's few needs from the system under NO_SYS: a millisecond clock and
 * random numbers (ISNs, DHCP transaction ids, local ports). */
#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "core/x86.h"
#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)(timer_now_ns() / 1000000u);
}

/* RDRAND when the CPU has it, else a xorshift64* stream seeded from the
 * TSC (varies from boot to boot; lwIP only needs unpredictable-ish ISNs). */
uint32_t lwip_port_rand(void)
{
	static int have_rdrand = -1;
	static uint64_t s;
	uint64_t v;
	if (have_rdrand < 0) {
		uint32_t r[4];
		cpuid(1, 0, r);
		have_rdrand = (r[2] >> 30) & 1;
		s = rdtsc() * 0x9E3779B97F4A7C15ull | 1;
	}
	if (have_rdrand) {
		for (int i = 0; i < 10; i++)
			if (rdrand64(&v))
				return (uint32_t)(v ^ (v >> 32));
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	v = s * 0x2545F4914F6CDD1Dull;
	return (uint32_t)(v >> 32);
}
