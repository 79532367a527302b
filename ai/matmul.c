/* matmul: batched Y = X W^T over packed weights, rows split across workers. */
#include "ai/matmul.h"

#include <string.h>

#include "ai/parallel.h"
#include "ai/quant.h"

#define QBUF_ALIGN 64
/* Below this many multiply-adds a product runs on the calling worker alone:
 * waking the others would cost more than it saves. */
#define MATMUL_SERIAL_WORK (1 << 16)

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* Widest activation row: f32 rounded to f16/bf16 precision (4 bytes per
 * element) bounds Q8_0 (34/32) and Q8_K (292/256) too; plus slack. */
static size_t qrow_max(int64_t n_in)
{
	return align_up((size_t)n_in * 4 + 512, QBUF_ALIGN);
}

size_t matmul_qbuf_bytes(int64_t n_in, int n_tok)
{
	return qrow_max(n_in) * (size_t)n_tok;
}

/* ---- quantizing the activations -------------------------------------- */

/* llama.cpp converts activations to f16 (bf16) for f16 (bf16) weights; our
 * kernels take f32 activations for those, so round them the same way. */
static void round_f16_row(const float *x, void *y, int64_t k)
{
	float *o = y;
	for (int64_t i = 0; i < k; i++)
		o[i] = fp16_to_fp32(fp32_to_fp16(x[i]));
}

static void round_bf16_row(const float *x, void *y, int64_t k)
{
	float *o = y;
	for (int64_t i = 0; i < k; i++)
		o[i] = bf16_to_fp32(fp32_to_bf16(x[i]));
}

#define ACT_ROUND_F16 (-2) /* pseudo activation types for the rounding above */
#define ACT_ROUND_BF16 (-3)

struct quant_job {
	from_float_fn from_float;
	const float *x;
	int64_t n_in;
	int n_tok;
	uint8_t *q;
	size_t qstride;
	void (*terms)(void *y, int64_t n); /* per-block terms packed weights read, or NULL */
};

static void quant_task(void *arg, int ith, int nth)
{
	struct quant_job *j = arg;
	for (int t = ith; t < j->n_tok; t += nth) {
		uint8_t *q = j->q + (size_t)t * j->qstride;
		if (j->from_float)
			j->from_float(j->x + (size_t)t * j->n_in, q, j->n_in);
		if (j->terms)
			j->terms(q, j->n_in);
	}
}

static void quantize_rows(struct quant_job *j)
{
	if (j->n_tok == 1 || (uint64_t)j->n_tok * (uint64_t)j->n_in < MATMUL_SERIAL_WORK / 4)
		quant_task(j, 0, 1);
	else
		par_for(quant_task, j);
}

/* ---- the product ------------------------------------------------------ */

/* Work is split in units of MM_UNIT rows of one weight (a packed group is
 * one unit). Each worker starts on its own contiguous range of units and
 * takes them from the front, a chunk at a time; a task whose range is empty
 * takes the back half of the fullest range left (and publishes it as its
 * own, so it can be split again). The workers so finish together whatever
 * their speed (a late start, a busy core, a slower memory channel), and
 * each still reads long runs of consecutive rows, which the hardware
 * prefetcher streams best. Every unit is claimed by one compare-and-swap on
 * its range word, by its owner or by one thief, and computed whole by one
 * worker: who computes which rows never changes a result. */
#define MM_UNIT 16
#define MM_RANGES 64         /* tasks beyond this many steal without publishing */
#define MM_CHUNK_BYTES (256 << 10) /* weight bytes an owner claims at most at a time */

struct mm_range {
	_Alignas(64) uint64_t fb; /* front << 32 | back, units [front, back) */
};

struct mm_job {
	struct matmul_seg *part;
	int nw;
	int64_t total_units;
	int n_ranges; /* ranges set up front, one per worker */
	int chunk;    /* units an owner claims at most at a time */
	struct mm_range rg[MM_RANGES];
	_Alignas(64) bool drained; /* a steal found every range empty */
};

/* Rows [r0, r1) of one weight for every token: 4x4 tiles (weight rows x
 * tokens) where the kernels have them, single dot products elsewhere; all
 * are bit-identical to vec_dot, so the grouping never changes a result. */
static void mm_rows(const struct matmul_seg *p, int64_t r0, int64_t r1)
{
	const struct model_w *w = &p->w;
	int n_tok = p->n_tok;
	const struct quant_traits *tr = p->tr;
	size_t rb = w->row_bytes;
	int64_t ldy = w->n_out;
	int n = (int)w->n_in;
	int64_t r = r0;
	if (w->packed) { /* groups of pack_rows (r0 is a multiple of MM_UNIT), tokens by pack_nt */
		int gr = tr->pack_rows, gt = tr->pack_nt;
		for (; r + gr <= r1 && r + gr <= w->n_out; r += gr) {
			const uint8_t *g = (const uint8_t *)w->data + (size_t)r * rb;
			for (int t = 0; t < n_tok; t += gt) {
				int nt = n_tok - t < gt ? n_tok - t : gt;
				tr->gemm_packed(n, nt, &p->y[(size_t)t * ldy + r], (size_t)ldy, g,
						p->xq + (size_t)t * p->xstride, p->xstride);
			}
		}
	}
	/* 4-row interleaved groups (model_pack) take the same loops with their
	 * own kernels; the last n_out % 4 rows are plain, and fewer than 4 */
	vec_dot_4r_fn dot4r = w->il4 ? tr->vec_dot_4r_il4 : tr->vec_dot_4r;
	vec_dot_4xn_fn dot4xn = w->il4 ? tr->vec_dot_4xn_il4 : tr->vec_dot_4xn;
	if (n_tok == 1 && dot4r) {
		for (; r + 4 <= r1; r += 4)
			dot4r(n, &p->y[r], (const uint8_t *)w->data + (size_t)r * rb, rb, p->xq);
	} else if (n_tok > 1 && dot4xn) {
		int xn = tr->xn_max ? tr->xn_max : 4;
		for (; r + 4 <= r1; r += 4) {
			const uint8_t *wrow = (const uint8_t *)w->data + (size_t)r * rb;
			for (int t = 0; t < n_tok; t += xn) {
				int nt = n_tok - t < xn ? n_tok - t : xn;
				dot4xn(n, nt, &p->y[(size_t)t * ldy + r], (size_t)ldy, wrow, rb,
				       p->xq + (size_t)t * p->xstride, p->xstride);
			}
		}
	} else if (n_tok >= 4 && tr->vec_dot_4c) {
		/* rows by 4, tokens by 4: the 4 rows stay in L1 across the tokens */
		for (; r + 4 <= r1; r += 4) {
			const uint8_t *w4 = (const uint8_t *)w->data + (size_t)r * rb;
			int t = 0;
			for (; t + 4 <= n_tok; t += 4) {
				const uint8_t *xq = p->xq + (size_t)t * p->xstride;
				for (int c = 0; c < 4; c++) {
					float s4[4];
					tr->vec_dot_4c(n, s4, w4 + (size_t)c * rb, xq, p->xstride);
					for (int u = 0; u < 4; u++)
						p->y[(size_t)(t + u) * ldy + r + c] = s4[u];
				}
			}
			for (; t < n_tok; t++)
				for (int c = 0; c < 4; c++)
					tr->vec_dot(n, &p->y[(size_t)t * ldy + r + c], w4 + (size_t)c * rb,
						    p->xq + (size_t)t * p->xstride);
		}
	}
	const uint8_t *wrow = (const uint8_t *)w->data + (size_t)r * rb;
	for (; r < r1; r++, wrow += rb) {
		const uint8_t *xq = p->xq;
		for (int t = 0; t < n_tok; t++, xq += p->xstride)
			tr->vec_dot(n, &p->y[(size_t)t * ldy + r], wrow, xq);
	}
}

static uint64_t fb_pack(uint32_t front, uint32_t back)
{
	return (uint64_t)front << 32 | back;
}

/* Units [u0, u1) of the job: the weights' rows laid end to end. */
static void mm_units(const struct mm_job *j, int64_t u0, int64_t u1)
{
	int lo = 0, hi = j->nw - 1; /* the last part starting at or before u0 */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (j->part[mid].unit0 <= u0)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (int i = lo; i < j->nw && j->part[i].unit0 < u1; i++) {
		const struct matmul_seg *p = &j->part[i];
		int64_t n_out = p->w.n_out;
		int64_t units = (n_out + MM_UNIT - 1) / MM_UNIT;
		int64_t a = u0 - p->unit0, b = u1 - p->unit0;
		if (a < 0)
			a = 0;
		if (b > units)
			b = units;
		if (a < b)
			mm_rows(p, a * MM_UNIT, b * MM_UNIT < n_out ? b * MM_UNIT : n_out);
	}
}

/* Claims units from the front of range r: [*u0, *u1), at most `most`
 * and at most a quarter of what is left (at least one), so claims are few
 * (each locked instruction waits for the loads in flight) but a thief
 * still finds a share to take near the end. */
static bool take_front(struct mm_range *r, uint32_t most, uint32_t *u0, uint32_t *u1)
{
	uint64_t v = __atomic_load_n(&r->fb, __ATOMIC_ACQUIRE);
	for (;;) {
		uint32_t f = (uint32_t)(v >> 32), b = (uint32_t)v;
		if (f >= b)
			return false;
		uint32_t want = (b - f) / 4;
		if (want > most)
			want = most;
		if (want < 1)
			want = 1;
		uint32_t e = f + want;
		if (__atomic_compare_exchange_n(&r->fb, &v, fb_pack(e, b), true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			*u0 = f;
			*u1 = e;
			return true;
		}
	}
}

/* Takes the back half of the fullest range among the first n: [*u0, *u1). */
static bool steal(struct mm_job *j, int n, uint32_t *u0, uint32_t *u1)
{
	for (;;) {
		/* Once one scan found nothing, no unit is left unclaimed but those
		 * a thief is about to publish, and it runs them itself: the other
		 * tasks of the call (a pool cuts a call into more tasks than
		 * workers) stop here instead of reading every range again. */
		if (__atomic_load_n(&j->drained, __ATOMIC_RELAXED))
			return false;
		int best = -1;
		uint32_t most = 0;
		uint64_t bv = 0;
		for (int i = 0; i < n; i++) {
			uint64_t v = __atomic_load_n(&j->rg[i].fb, __ATOMIC_ACQUIRE);
			uint32_t f = (uint32_t)(v >> 32), b = (uint32_t)v;
			if (b > f && b - f > most) {
				most = b - f;
				best = i;
				bv = v;
			}
		}
		if (best < 0) {
			__atomic_store_n(&j->drained, true, __ATOMIC_RELAXED);
			return false;
		}
		uint32_t f = (uint32_t)(bv >> 32), b = (uint32_t)bv, take = (most + 1) / 2;
		if (__atomic_compare_exchange_n(&j->rg[best].fb, &bv, fb_pack(f, b - take), false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			*u0 = b - take;
			*u1 = b;
			return true;
		}
	}
}

static void mm_task(void *arg, int ith, int nth)
{
	struct mm_job *j = arg;
	int scan = nth < MM_RANGES ? nth : MM_RANGES;
	if (scan < j->n_ranges)
		scan = j->n_ranges;
	struct mm_range *own = ith < MM_RANGES ? &j->rg[ith] : NULL;
	uint32_t u0, u1;
	for (;;) {
		if (own && take_front(own, (uint32_t)j->chunk, &u0, &u1)) {
			mm_units(j, u0, u1);
			continue;
		}
		if (!steal(j, scan, &u0, &u1))
			return;
		if (own) /* own range is empty: no one else writes it now */
			__atomic_store_n(&own->fb, fb_pack(u0, u1), __ATOMIC_RELEASE);
		else
			mm_units(j, u0, u1);
	}
}

/* The activations of every part: rows [0, n_rows) of x converted once per
 * activation type (at most MATMUL_MAX_W of them, in qbuf's slots), each
 * part pointed at its rows. */
static void mm_inputs(struct matmul_seg *parts, int n, const float *x, int n_rows, void *qbuf)
{
	int done_types[MATMUL_MAX_W];
	uint8_t *done_q[MATMUL_MAX_W];
	bool done_terms[MATMUL_MAX_W];
	int n_done = 0;
	int64_t n_in = parts[0].w.n_in;
	size_t slot = matmul_qbuf_bytes(n_in, n_rows), qstride = qrow_max(n_in);
	for (int i = 0; i < n; i++) {
		struct matmul_seg *p = &parts[i];
		const struct quant_traits *tr = quant_traits(p->w.type);
		int vdt = tr->vec_dot_type;
		p->tr = tr;
		from_float_fn conv = NULL;
		if (vdt != GGML_TYPE_F32) {
			conv = quant_traits(vdt)->from_float;
		} else if (p->w.type == GGML_TYPE_F16) {
			vdt = ACT_ROUND_F16;
			conv = round_f16_row;
		} else if (p->w.type == GGML_TYPE_BF16) {
			vdt = ACT_ROUND_BF16;
			conv = round_bf16_row;
		} else {
			p->xstride = (size_t)n_in * sizeof(float);
			p->xq = (const uint8_t *)(x + (size_t)p->x_row * (size_t)n_in);
			continue;
		}
		int k;
		for (k = 0; k < n_done && done_types[k] != vdt; k++)
			;
		void (*terms)(void *y, int64_t n) = p->w.packed ? tr->act_terms : NULL;
		if (k == n_done || (terms && !done_terms[k])) {
			struct quant_job q = {
				.from_float = k == n_done ? conv : NULL,
				.x = x, .n_in = n_in, .n_tok = n_rows,
				.q = k == n_done ? (uint8_t *)qbuf + slot * (size_t)n_done : done_q[k],
				.qstride = qstride,
				.terms = terms,
			};
			quantize_rows(&q);
			if (k == n_done) {
				done_types[k] = vdt;
				done_q[k] = q.q;
				done_terms[k] = false;
				n_done++;
			}
			done_terms[k] |= terms != NULL;
		}
		p->xq = done_q[k] + (size_t)p->x_row * qstride;
		p->xstride = qstride;
	}
}

/* Runs parts[0..n) (inputs set) on the workers. */
static void mm_run(struct matmul_seg *parts, int n)
{
	struct mm_job j;
	uint64_t work = 0, wbytes = 0;
	j.part = parts;
	j.nw = n;
	j.total_units = 0;
	for (int i = 0; i < n; i++) {
		const struct model_w *w = &parts[i].w;
		parts[i].unit0 = j.total_units;
		j.total_units += (w->n_out + MM_UNIT - 1) / MM_UNIT;
		work += (uint64_t)w->n_out * (uint64_t)w->n_in * (uint64_t)parts[i].n_tok;
		wbytes += (uint64_t)w->n_out * w->row_bytes * (uint64_t)parts[i].n_tok;
	}
	if (!j.total_units)
		return;
	bool serial = work < MATMUL_SERIAL_WORK;
	j.n_ranges = serial ? 1 : par_nth() < MM_RANGES ? par_nth() : MM_RANGES;
	for (int i = 0; i < MM_RANGES; i++) {
		int64_t a = i < j.n_ranges ? j.total_units * i / j.n_ranges : 0;
		int64_t b = i < j.n_ranges ? j.total_units * (i + 1) / j.n_ranges : 0;
		j.rg[i].fb = fb_pack((uint32_t)a, (uint32_t)b);
	}
	j.drained = false;
	/* the weight bytes (times tokens) of an average unit */
	uint64_t unit_bytes = wbytes / (uint64_t)j.total_units;
	j.chunk = unit_bytes >= MM_CHUNK_BYTES ? 1 : unit_bytes ? (int)(MM_CHUNK_BYTES / unit_bytes) : 1;
	if (serial)
		mm_task(&j, 0, 1);
	else
		par_for(mm_task, &j);
}

void matmul_n(const struct model_w *const *ws, float *const *ys, int nw,
	      const float *x, int n_tok, void *qbuf)
{
	struct matmul_seg parts[MATMUL_MAX_W];
	for (int i = 0; i < nw; i++)
		parts[i] = (struct matmul_seg){ .w = *ws[i], .y = ys[i], .x_row = 0, .n_tok = n_tok };
	mm_inputs(parts, nw, x, n_tok, qbuf);
	mm_run(parts, nw);
}

void matmul_segs(struct matmul_seg *segs, int n, const float *x, int n_rows, void *qbuf)
{
	if (n < 1)
		return;
	mm_inputs(segs, n, x, n_rows, qbuf);
	mm_run(segs, n);
}

void matmul_get_row(const struct model_w *w, int64_t row, float *out)
{
	const struct quant_traits *tr = quant_traits(w->type);
	if (w->packed && row < w->n_out / tr->pack_rows * tr->pack_rows) {
		int64_t g = row / tr->pack_rows * tr->pack_rows;
		tr->packed_row((const uint8_t *)w->data + (size_t)g * w->row_bytes, (int)(row - g), w->n_in, out);
		return;
	}
	if (w->il4 && row < w->n_out / 4 * 4) {
		int64_t g = row / 4 * 4;
		quant_il4_row(w->type, (const uint8_t *)w->data + (size_t)g * w->row_bytes, (int)(row - g), w->n_in, out);
		return;
	}
	const uint8_t *src = (const uint8_t *)w->data + (size_t)row * w->row_bytes;
	tr->to_float(src, out, w->n_in);
}
