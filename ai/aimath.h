/*
 * The engine's own float math: exp, log, pow, sin, cos, silu, sqrt.
 * ai/ never includes <math.h>: the host and the OS must compute bit-identical
 * results, so every transcendental function is ours. Each float function
 * works in double internally and rounds once, which makes it correctly
 * rounded for nearly all arguments (error < 0.51 ulp), close to glibc's.
 * They are total: a defined result for every input, NaN and inf included
 * (a model file's numbers are hostile; nothing here converts an
 * out-of-range double to an integer).
 */
#ifndef AI_AIMATH_H
#define AI_AIMATH_H

#include <stdint.h>
#include <string.h>

#define AI_PI 3.14159265358979323846

float ai_expf(float x);
float ai_logf(float x);
/* b^e. For b < 0, e must be an integer (else NaN), as C's powf. */
float ai_powf(float b, float e);
/* Every finite float argument is reduced exactly (Cody-Waite below 2^20,
 * the RoPE range, Payne-Hanek above); NaN and +-inf give NaN. */
float ai_sinf(float x);
float ai_cosf(float x);
void ai_sincosf(float x, float *s, float *c);
float ai_tanhf(float x);

/* a*b + c rounded once, exactly as C's fmaf (round to nearest even), in
 * portable C: the scalar kernels use it to sum as the SIMD ones and ggml's
 * x86 kernels do (one fused multiply-add per lane and block). */
float ai_fmaf(float a, float b, float c);

/* Double versions behind the float ones (relative error ~1e-16). */
double ai_exp(double x);
double ai_log(double x);

/* sqrtss: correctly rounded; no libm call even in a freestanding build. */
static inline float ai_sqrtf(float x)
{
	typedef float v4sf __attribute__((vector_size(16)));
	v4sf v = { x, 0, 0, 0 };
	v = __builtin_ia32_sqrtss(v);
	return v[0];
}

static inline float ai_fabsf(float x)
{
	return x < 0 ? -x : x;
}

/* SiLU as ggml_silu_f32 computes it, x / (1 + e^-x) with libm's expf: ggml
 * uses it for the elements after a row's last whole vector (ai/vmath.h). */
static inline float ai_siluf(float x)
{
	return x / (1.0f + ai_expf(-x));
}

static inline float ai_nanf(void)
{
	return __builtin_nanf("");
}

static inline float ai_inff(void)
{
	return __builtin_inff();
}

/* The bits of a float, and the float of some bits. */
static inline uint32_t ai_f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static inline float ai_f32_from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static inline int ai_isnanf(float x)
{
	return x != x;
}

#endif
