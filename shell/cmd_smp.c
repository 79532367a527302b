/*
 * The shell's SMP commands: `cpus` (the CPUs and the work each did),
 * `apfault` (debug: CPU 1 faults) and `smptest`, whose parallel results
 * must equal the single-core ones exactly:
 *  1. each task sums a disjoint slice of a 16 MiB buffer (u64 sums);
 *  2. an f32 GEMV y = W x, rows split by (ith, nth): every row is computed
 *     by the same code whichever core runs it, so y must match bit for bit;
 *  3. the engine's own matmul (ai/matmul.c, Q8_0 weights, the best SIMD
 *     kernels: AVX2/AVX-512 state must be on in every AP) through par_for,
 *     all cores vs one, bit for bit;
 *  4. wall time of the GEMV on 1 core vs all cores, and the cost of one
 *     empty smp_parallel_for call. (Under QEMU TCG on a busy host these
 *     say little: each vCPU is a host thread competing for host cores.)
 */
#include <stdio.h>
#include <string.h>

#include "ai/matmul.h"
#include "ai/parallel.h"
#include "ai/quant.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"
#include "mm/pmm.h"
#include "shell/cmd_smp.h"
#include "core/acpi.h"
#include "smp/ap.h"
#include "smp/dispatch.h"
#include "smp/lapic.h"
#include "smp/smp.h"

#define SUM_WORDS (4u << 20)          /* u32: 16 MiB */
#define GEMV_ROWS 1024
#define GEMV_COLS 1024
#define GEMV_MIN_NS 300000000ull      /* time the 1-core GEMV at least this long */
#define MM_IN 1024                    /* engine matmul: (MM_OUT, MM_IN) q8_0 */
#define MM_OUT 512
#define EMPTY_CALLS 20000
#define EMPTY_MAX_NS 300000000ull     /* ...or as many as fit in this time */

struct sum_ctx {
	const uint32_t *buf;
	uint32_t len;
	uint64_t part[1024];           /* one per task; tasks <= 2 * MAX_CPUS + 1 */
};

static void sum_task(void *p, int ith, int nth)
{
	struct sum_ctx *c = p;
	uint32_t lo = (uint32_t)((uint64_t)c->len * ith / nth);
	uint32_t hi = (uint32_t)((uint64_t)c->len * (ith + 1) / nth);
	uint64_t s = 0;

	for (uint32_t i = lo; i < hi; i++)
		s += c->buf[i];
	c->part[ith] = s;
}

static uint64_t sum_run(struct sum_ctx *c, int n)
{
	uint64_t s = 0;

	smp_parallel_for(sum_task, c, n);
	for (int i = 0; i < n; i++)
		s += c->part[i];
	return s;
}

struct gemv_ctx {
	const float *w; /* (rows, cols) */
	const float *x; /* (cols) */
	float *y;       /* (rows) */
	int rows, cols;
};

static void gemv_task(void *p, int ith, int nth)
{
	struct gemv_ctx *c = p;
	int r0 = (int)((int64_t)c->rows * ith / nth), r1 = (int)((int64_t)c->rows * (ith + 1) / nth);

	for (int r = r0; r < r1; r++) {
		const float *row = c->w + (size_t)r * c->cols;
		float acc[8] = { 0 };
		float s = 0;

		for (int j = 0; j < c->cols; j += 8)
			for (int k = 0; k < 8; k++)
				acc[k] += row[j + k] * c->x[j + k];
		for (int k = 0; k < 8; k++)
			s += acc[k];
		c->y[r] = s;
	}
}

static void empty_task(void *p, int ith, int nth)
{
	(void)p;
	(void)ith;
	(void)nth;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Prints a / b with two decimals. */
static void print_ratio(const char *what, uint64_t a, uint64_t b)
{
	uint64_t r = b ? a * 100 / b : 0;
	kprintf("%s%llu.%02llu\n", what, (unsigned long long)(r / 100),
		(unsigned long long)(r % 100));
}

static uint64_t gemv_time(struct gemv_ctx *g, int n, int reps)
{
	uint64_t t0 = timer_now_ns();
	for (int i = 0; i < reps; i++)
		smp_parallel_for(gemv_task, g, n);
	return timer_now_ns() - t0;
}

/* The engine's matmul through par_for with 1 worker, then ncpu workers:
 * the results must be identical. Returns the number of failures. */
static int engine_check(int ncpu, uint32_t *seed)
{
	size_t rb = ggml_type_row_size(GGML_TYPE_Q8_0, MM_IN);
	size_t qb = matmul_qbuf_bytes(MM_IN, 1);
	uint64_t bytes = MM_OUT * rb + (MM_IN * 2 + MM_OUT * 2) * sizeof(float) + qb + 64;
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, t0, t1, tn;
	const struct quant_traits *t;
	struct model_w w = { 0 };
	uint8_t *mem;
	float *x, *tmp, *y1, *yn;
	void *qbuf;
	int lv = quant_level(), saved = par_nth();
	bool ok;

	quant_init(lv > 0 ? lv : QUANT_AVX512);
	t = quant_traits(GGML_TYPE_Q8_0);
	if (!t || !t->from_float || !rb) {
		kprintf("smptest: engine matmul: no q8_0 kernels (FAIL)\n");
		return 1;
	}
	mem = pmm_alloc_pages(pages);
	if (!mem) {
		kprintf("smptest: engine matmul: out of memory (FAIL)\n");
		return 1;
	}
	qbuf = mem; /* page aligned */
	x = (float *)(mem + ((qb + 63) & ~(size_t)63));
	tmp = x + MM_IN;
	y1 = tmp + MM_IN;
	yn = y1 + MM_OUT;
	w.data = yn + MM_OUT;
	w.type = GGML_TYPE_Q8_0;
	w.n_in = MM_IN;
	w.n_out = MM_OUT;
	w.row_bytes = rb;
	for (int r = 0; r < MM_OUT; r++) {
		for (int i = 0; i < MM_IN; i++)
			tmp[i] = (float)(int32_t)xorshift(seed) * (1.0f / 2147483648.0f);
		t->from_float(tmp, (uint8_t *)w.data + (size_t)r * rb, MM_IN);
	}
	for (int i = 0; i < MM_IN; i++)
		x[i] = (float)(int32_t)xorshift(seed) * (1.0f / 2147483648.0f);

	par_set_runner(smp_parallel_for, 1);
	t0 = timer_now_ns();
	matmul(&w, y1, x, 1, qbuf);
	t1 = timer_now_ns() - t0;
	par_set_runner(smp_parallel_for, ncpu);
	memset(yn, 0xff, MM_OUT * sizeof(float));
	t0 = timer_now_ns();
	matmul(&w, yn, x, 1, qbuf);
	tn = timer_now_ns() - t0;
	par_set_runner(saved > 1 ? smp_parallel_for : NULL, saved);

	ok = memcmp(y1, yn, MM_OUT * sizeof(float)) == 0;
	kprintf("smptest: engine matmul q8_0 %dx%d (%s kernels), 1 vs %d workers: %s "
		"(%llu us, %llu us)\n", MM_OUT, MM_IN, quant_level_name(quant_level()), ncpu,
		ok ? "PASS" : "FAIL", (unsigned long long)(t1 / 1000),
		(unsigned long long)(tn / 1000));
	pmm_free_pages(mem, pages);
	return ok ? 0 : 1;
}

int cmd_smp_smptest(int argc, char **argv)
{
	int ncpu = smp_ncpus_online(), fails = 0, reps = 1, calls;
	uint64_t sum_pages = SUM_WORDS * 4ull / PAGE_SIZE;
	uint64_t gemv_bytes = ((uint64_t)GEMV_ROWS * GEMV_COLS + GEMV_COLS + 2 * GEMV_ROWS) * 4;
	uint64_t gemv_pages = (gemv_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t *buf = pmm_alloc_pages(sum_pages);
	float *mem = pmm_alloc_pages(gemv_pages);
	static struct sum_ctx sc;
	struct gemv_ctx g;
	float *y1;
	uint64_t s1, t1, tn, t0;
	uint32_t seed = 12345;
	const int ns[] = { 1, ncpu, 2 * ncpu + 1, 37 };

	(void)argc;
	(void)argv;
	if (!buf || !mem) {
		kprintf("smptest: FAIL: out of memory\n");
		fails++;
		goto out;
	}
	kprintf("smptest: %d CPUs online\n", ncpu);

	/* 1. slice sums, for several task counts */
	for (uint32_t i = 0; i < SUM_WORDS; i++)
		buf[i] = xorshift(&seed);
	sc.buf = buf;
	sc.len = SUM_WORDS;
	s1 = sum_run(&sc, 1);
	for (unsigned k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		uint64_t s = sum_run(&sc, ns[k]);
		bool ok = s == s1;
		kprintf("smptest: sum %u words in %d tasks: %s (0x%llx)\n", SUM_WORDS, ns[k],
			ok ? "PASS" : "FAIL", (unsigned long long)s);
		fails += !ok;
	}

	/* 2. GEMV, all cores vs one, bit for bit */
	g.w = mem;
	g.x = mem + (size_t)GEMV_ROWS * GEMV_COLS;
	g.y = (float *)g.x + GEMV_COLS;
	y1 = g.y + GEMV_ROWS;
	g.rows = GEMV_ROWS;
	g.cols = GEMV_COLS;
	for (size_t i = 0; i < (size_t)GEMV_ROWS * GEMV_COLS + GEMV_COLS; i++)
		mem[i] = (float)(int32_t)xorshift(&seed) * (1.0f / 2147483648.0f);
	smp_parallel_for(gemv_task, &g, 1);
	memcpy(y1, g.y, GEMV_ROWS * sizeof(float));
	for (unsigned k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		bool ok;
		memset(g.y, 0xff, GEMV_ROWS * sizeof(float));
		smp_parallel_for(gemv_task, &g, ns[k]);
		ok = memcmp(g.y, y1, GEMV_ROWS * sizeof(float)) == 0;
		kprintf("smptest: gemv %dx%d in %d tasks: %s\n", GEMV_ROWS, GEMV_COLS, ns[k],
			ok ? "PASS" : "FAIL");
		fails += !ok;
	}

	/* 3. the engine's matmul through par_for */
	fails += engine_check(ncpu, &seed);

	/* 4. timing */
	t1 = gemv_time(&g, 1, 1);
	if (t1 && t1 < GEMV_MIN_NS)
		reps = (int)(GEMV_MIN_NS / t1) + 1;
	if (reps > 1000)
		reps = 1000;
	t1 = gemv_time(&g, 1, reps);
	tn = gemv_time(&g, ncpu, reps);
	kprintf("smptest: gemv x%d: 1 core %llu us, %d cores %llu us\n", reps,
		(unsigned long long)(t1 / 1000), ncpu, (unsigned long long)(tn / 1000));
	print_ratio("smptest: speedup ", t1, tn);
	t0 = timer_now_ns();
	for (calls = 0; calls < EMPTY_CALLS && (calls < 10 || timer_now_ns() - t0 < EMPTY_MAX_NS);
	     calls++)
		smp_parallel_for(empty_task, NULL, ncpu);
	kprintf("smptest: empty parallel_for on %d cores: %llu ns per call (%d calls)\n", ncpu,
		(unsigned long long)((timer_now_ns() - t0) / (uint64_t)calls), calls);
out:
	if (buf)
		pmm_free_pages(buf, sum_pages);
	if (mem)
		pmm_free_pages(mem, gemv_pages);
	kprintf("smptest: %s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}

int cmd_smp_cpus(int argc, char **argv)
{
	uint64_t mhz = timer_tsc_hz() / 1000000;
	struct smp_summary sm;

	(void)argc;
	(void)argv;
	smp_get_summary(&sm);
	if (sm.why_alone[0] || !sm.madt)
		kprintf("boot CPU only: %s\n", sm.why_alone);
	else
		kprintf("local APIC: %s%s, MADT from %s (OEM %s), %d I/O APIC(s), "
			"trampoline at 0x%llx\n", sm.x2apic ? "x2APIC" : "xAPIC",
			sm.x2apic ? "" : " (MMIO)", sm.madt->xsdt ? "XSDT" : "RSDT", sm.madt->oem,
			sm.madt->n_ioapics, (unsigned long long)sm.trampoline);
	kprintf("cpu  apic  state    start_us      jobs     tasks   busy_ms  wakeups  steals\n");
	for (int i = 0; i < sm.n_online; i++) {
		struct dispatch_stats st;

		dispatch_get_stats(i, &st);
		kprintf("%3d  %4u  %-7s  %8u  %8llu  %8llu  %8llu  %7llu  %6llu\n", i,
			smp_cpus[i].apic_id, i == 0 ? "BSP" : "online", smp_cpus[i].start_us,
			(unsigned long long)st.jobs, (unsigned long long)st.tasks,
			(unsigned long long)(mhz ? st.busy_cycles / mhz / 1000 : 0),
			(unsigned long long)st.wakeups, (unsigned long long)st.steals);
	}
	for (int i = 0; i < sm.n_failed; i++)
		kprintf("  -  %4u  failed   (%s)\n", sm.failed[i].apic_id, sm.failed[i].why);
	if (sm.madt && sm.madt->n_hotplug)
		kprintf("%d hot-plug CPU slot(s) (online-capable, not present) not counted\n",
			sm.madt->n_hotplug);
	if (sm.madt && sm.madt->n_dropped)
		kprintf("%d CPU(s) beyond MAX_CPUS=%d not started\n", sm.madt->n_dropped, MAX_CPUS);
	kprintf("%d of %d CPUs online\n", sm.n_online, sm.n_listed);
	return 0;
}

static void fault_task(void *ctx, int ith, int nth)
{
	(void)ctx;
	(void)ith;
	(void)nth;
	if (smp_cpu_index() == 1)
		ud2();
}

int cmd_smp_apfault(int argc, char **argv)
{
	uint64_t t0 = timer_now_ns();

	(void)argc;
	(void)argv;
	if (smp_ncpus_online() < 2) {
		kprintf("apfault: needs a second CPU online\n");
		return 1;
	}
	kprintf("apfault: making CPU 1 execute ud2\n");
	/* The caller may run CPU 1's share itself when CPU 1 is slow to
	 * pick it up; retry until CPU 1 ran it (and faulted). */
	while (timer_now_ns() - t0 < 5000000000ull)
		smp_parallel_for(fault_task, NULL, 2);
	kprintf("apfault: CPU 1 did not fault within 5 s\n");
	return 1;
}
