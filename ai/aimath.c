/* aimath: exp/log/pow/sin/cos/tanh in double precision, rounded once to float. */
#include "ai/aimath.h"

#include <string.h>

static const double LN2_HI = 6.93147180369123816490e-01; /* low bits zero */
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
static const double INVPIO2 = 6.36619772367581382433e-01;
static const double PIO2_1 = 1.57079632673412561417e+00;  /* first 33 bits of pi/2 */
static const double PIO2_2 = 6.07710050630396597660e-11;  /* next 33 bits */
static const double PIO2_2T = 2.02226624879595063154e-21; /* pi/2 - PIO2_1 - PIO2_2 */

static uint64_t dbits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static double dfrom(uint64_t u)
{
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* x * 2^k for k in [-1100, 1100], with at most one rounding (subnormals). */
static double scale2(double x, int k)
{
	while (k > 1000) {
		x *= dfrom((uint64_t)(1023 + 1000) << 52);
		k -= 1000;
	}
	while (k < -1000) {
		x *= dfrom((uint64_t)(1023 - 1000) << 52);
		k += 1000;
	}
	return x * dfrom((uint64_t)(1023 + k) << 52);
}

/* x rounded to the nearest integer, halves away from zero; callers keep
 * |x| < 2^62 (ai_exp: |x| < 1100; reduce_pio2: |x| < 2^20). Outside that
 * range the result saturates instead of being undefined. */
static int64_t round_to_int(double x)
{
	if (!(x > -4.6e18 && x < 4.6e18))
		return x > 0 ? INT64_MAX : INT64_MIN; /* also NaN */
	return (int64_t)(x >= 0 ? x + 0.5 : x - 0.5);
}

double ai_exp(double x)
{
	if (x != x)
		return x;
	if (x > 709.782712893384)
		return __builtin_inf();
	if (x < -745.2)
		return 0.0;
	int64_t k = round_to_int(x * INV_LN2);
	double r = (x - (double)k * LN2_HI) - (double)k * LN2_LO; /* |r| <= 0.35 */
	/* Taylor to r^13: truncation < 1e-17 relative. */
	double p = 1.0 / 6227020800.0;
	static const double inv_fact[13] = {
		1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
		1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
		1.0 / 6.0, 1.0 / 2.0, 1.0, 1.0,
	};
	for (int i = 0; i < 13; i++)
		p = p * r + inv_fact[i];
	return scale2(p, (int)k);
}

/* e^y - 1 without cancellation for small y. */
static double expm1_d(double y)
{
	double a = y < 0 ? -y : y;
	if (a >= 0.5)
		return ai_exp(y) - 1.0;
	double term = y, sum = y;
	for (int i = 2; i <= 20; i++) {
		term *= y / i;
		sum += term;
	}
	return sum;
}

double ai_log(double x)
{
	if (x != x || x < 0)
		return __builtin_nan("");
	if (x == 0)
		return -__builtin_inf();
	if (x == __builtin_inf())
		return x;
	int e = 0;
	uint64_t u = dbits(x);
	if ((u >> 52) == 0) { /* subnormal */
		x *= dfrom((uint64_t)(1023 + 54) << 52);
		u = dbits(x);
		e = -54;
	}
	e += (int)(u >> 52) - 1023;
	double m = dfrom((u & 0x000fffffffffffffull) | 0x3ff0000000000000ull); /* [1, 2) */
	if (m > 1.41421356237309504880) {
		m *= 0.5;
		e += 1;
	}
	double s = (m - 1.0) / (m + 1.0); /* |s| <= 0.172 */
	double z = s * s;
	double p = 1.0 / 23;
	for (int n = 21; n >= 1; n -= 2)
		p = p * z + 1.0 / n;
	double logm = 2.0 * s * p;
	return (double)e * LN2_HI + ((double)e * LN2_LO + logm);
}

float ai_expf(float x)
{
	return (float)ai_exp(x);
}

float ai_logf(float x)
{
	return (float)ai_log(x);
}

/* a*b is exact in double (24 + 24 bits); p + c rounds once in double and
 * once more to float. That double rounding errs only when the double sum
 * lands exactly halfway between two floats after discarding a nonzero
 * remainder: then the remainder (TwoSum) says which neighbour is right. */
float ai_fmaf(float a, float b, float c)
{
	double p = (double)a * (double)b;
	double s = p + (double)c;
	float r = (float)s;
	if ((double)r == s || r - r != 0) /* exact, or inf / nan */
		return r;
	double bb = s - p;
	double err = (p - (s - bb)) + ((double)c - bb);
	if (err == 0)
		return r;
	float r2; /* the float on the other side of s */
	if (r == 0)
		r2 = ai_f32_from_bits(s < 0 ? 0x80000001u : 1u);
	else
		r2 = ai_f32_from_bits((s > (double)r) == (r > 0) ? ai_f32_bits(r) + 1 : ai_f32_bits(r) - 1);
	if ((double)r + (double)r2 != 2.0 * s)
		return r;
	return (err > 0) == (r2 > r) ? r2 : r;
}

/* Is the float e an integer, and if so is it odd? */
static int float_int_kind(float e, int *odd)
{
	float a = ai_fabsf(e);
	*odd = 0;
	if (a >= 16777216.0f)
		return 1; /* every float this large is an even integer */
	int64_t i = (int64_t)e;
	if ((float)i != e)
		return 0;
	*odd = (int)(i & 1);
	return 1;
}

float ai_powf(float b, float e)
{
	if (e == 0 || b == 1)
		return 1.0f;
	if (b != b || e != e)
		return ai_nanf();
	if (b == -1 && ai_fabsf(e) == ai_inff())
		return 1.0f; /* as C's powf: (-1)^+-inf = 1 */
	int odd = 0;
	int is_int = float_int_kind(e, &odd);
	double sign = 1.0;
	double ab = b;
	if (b < 0) {
		if (!is_int)
			return ai_nanf();
		ab = -ab;
		if (odd)
			sign = -1.0;
	}
	if (ab == 0) {
		double r = e > 0 ? 0.0 : __builtin_inf();
		return (float)(sign * r);
	}
	if (ab == __builtin_inf()) {
		double r = e > 0 ? __builtin_inf() : 0.0;
		return (float)(sign * r);
	}
	return (float)(sign * ai_exp((double)e * ai_log(ab)));
}

/* sin and cos of |r| <= pi/4 (Taylor, truncation < 1e-19). */
static const double SIN_C[8] = { /* (-1)^n / (2n+1)!, n = 1..8 */
	-1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0,
	-1.0 / 39916800.0, 1.0 / 6227020800.0, -1.0 / 1307674368000.0,
	1.0 / 355687428096000.0,
};
static const double COS_C[9] = { /* (-1)^n / (2n)!, n = 1..9 */
	-1.0 / 2.0, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0,
	1.0 / 479001600.0, -1.0 / 87178291200.0, 1.0 / 20922789888000.0,
	-1.0 / 6402373705728000.0,
};

static double sin_poly(double r)
{
	double z = r * r, p = 0;
	for (int i = 7; i >= 0; i--)
		p = (p + SIN_C[i]) * z;
	return r + r * p;
}

static double cos_poly(double r)
{
	double z = r * r, p = 0;
	for (int i = 8; i >= 0; i--)
		p = (p + COS_C[i]) * z;
	return 1.0 + p;
}

/* The bits of 2/pi after the binary point, 32 to a word (fdlibm's ipio2). */
static const uint32_t TWO_OVER_PI[10] = {
	0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599,
	0x3c439041, 0xfe5163ab, 0xdebbc561, 0xb7246e3a, 0x424dd2e0,
};

/* Bits k .. k+31 of 2/pi (bit 1 weighs 2^-1; bits k < 1 are 0), -31 <= k <= 258. */
static uint32_t two_over_pi_bits(int k)
{
	int i = k + 31, w = i >> 5, s = i & 31; /* i: index with one zero word in front */
	uint32_t a = w > 0 ? TWO_OVER_PI[w - 1] : 0, b = TWO_OVER_PI[w];
	return s ? (uint32_t)((((uint64_t)a << 32) | b) >> (32 - s)) : a;
}

/* Payne-Hanek for a float |x| >= 2^20: x = m * 2^e with an integer m <
 * 2^24, and x * 2/pi mod 4 from a 128-bit window of 2/pi starting at bit
 * e - 1 (the bits before it only add multiples of 4). The product m * W
 * (W the window) has its binary point at bit 126; the 126 fraction bits
 * leave > 90 significant bits even for the float closest to a multiple of
 * pi/2, so r is accurate to double precision. */
static int reduce_pio2_large(float ax, double *r)
{
	uint32_t u;
	memcpy(&u, &ax, sizeof u);
	int e = (int)(u >> 23) - 150; /* ax >= 2^20: a normal float */
	uint32_t m = (u & 0x7fffff) | 0x800000;
	uint32_t p[4]; /* m * W mod 2^128, 32-bit limbs, least significant first */
	uint64_t carry = 0;
	for (int j = 0; j < 4; j++) {
		carry += (uint64_t)m * two_over_pi_bits(e - 1 + 32 * (3 - j));
		p[j] = (uint32_t)carry;
		carry >>= 32;
	}
	int q = (int)(p[3] >> 30);
	uint64_t hi = ((uint64_t)(p[3] & 0x3fffffff) << 32) | p[2]; /* fraction bits 125..64 */
	uint64_t lo = ((uint64_t)p[1] << 32) | p[0];                 /* bits 63..0 */
	double sign = 1.0;
	if (hi >> 61) { /* fraction >= 1/2: round up to the next quadrant, r < 0 */
		q++;
		sign = -1.0;
		lo = 0 - lo;
		hi = (~hi + (lo == 0)) & 0x3fffffffffffffffull;
	}
	double f = (double)hi * dfrom((uint64_t)(1023 - 62) << 52) +
		   (double)lo * dfrom((uint64_t)(1023 - 126) << 52);
	*r = sign * f * (AI_PI / 2);
	return q & 3;
}

/* x = k*pi/2 + r, |r| <= pi/4, for every finite float x: Cody-Waite
 * (exact while |k| < 2^20) below 2^20, Payne-Hanek above. */
static int reduce_pio2(float x, double *r)
{
	float ax = ai_fabsf(x);
	if (ax < 1048576.0f) {
		int64_t k = round_to_int((double)x * INVPIO2);
		double kd = (double)k;
		*r = (((double)x - kd * PIO2_1) - kd * PIO2_2) - kd * PIO2_2T;
		return (int)(k & 3);
	}
	int q = reduce_pio2_large(ax, r);
	if (x < 0) {
		*r = -*r;
		q = (4 - q) & 3;
	}
	return q;
}

void ai_sincosf(float x, float *s, float *c)
{
	if (x != x || ai_fabsf(x) == ai_inff()) {
		*s = *c = ai_nanf();
		return;
	}
	double r;
	int q = reduce_pio2(x, &r);
	double sr = sin_poly(r), cr = cos_poly(r);
	switch (q) {
	case 0: *s = (float)sr; *c = (float)cr; break;
	case 1: *s = (float)cr; *c = (float)-sr; break;
	case 2: *s = (float)-sr; *c = (float)-cr; break;
	default: *s = (float)-cr; *c = (float)sr; break;
	}
}

float ai_sinf(float x)
{
	float s, c;
	ai_sincosf(x, &s, &c);
	return s;
}

float ai_cosf(float x)
{
	float s, c;
	ai_sincosf(x, &s, &c);
	return c;
}

float ai_tanhf(float x)
{
	if (x != x)
		return x;
	if (x > 9.1f)
		return 1.0f;
	if (x < -9.1f)
		return -1.0f;
	double t = expm1_d(2.0 * (double)x);
	return (float)(t / (t + 2.0));
}
