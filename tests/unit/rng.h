/* The unit tests' pseudo-random numbers: xorshift64, seeded per test
 * (define TEST_RNG_SEED before including to pick the sequence), and the
 * bit pattern of a float for exact comparisons. */
#ifndef TESTS_UNIT_RNG_H
#define TESTS_UNIT_RNG_H

#include <stdint.h>
#include <string.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED 0x9e3779b97f4a7c15ull
#endif

static uint64_t rng_state = TEST_RNG_SEED;

static inline uint64_t rng_next(void) /* the whole state after a step */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static inline uint32_t rnd(void)
{
	return (uint32_t)(rng_next() >> 16);
}

static inline float frand(void) /* [-1, 1) */
{
	return (float)((double)rnd() / 2147483648.0 - 1.0);
}

static inline uint32_t bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, 4);
	return u;
}

#endif
