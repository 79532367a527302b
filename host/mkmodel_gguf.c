/* mkmodel's GGUF writer: header in memory, tensor data streamed. */
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "host/mkmodel.h"

void gw_raw(struct gguf_writer *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 1 << 16;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *b = realloc(w->buf, cap);
		if (!b) {
			w->err = 1;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void gw_u32(struct gguf_writer *w, uint32_t v) { gw_raw(w, &v, 4); }
static void gw_u64(struct gguf_writer *w, uint64_t v) { gw_raw(w, &v, 8); }

void gw_rawstr(struct gguf_writer *w, const char *s, size_t n)
{
	gw_u64(w, n);
	gw_raw(w, s, n);
}

static void gw_key(struct gguf_writer *w, const char *key, uint32_t type)
{
	gw_rawstr(w, key, strlen(key));
	gw_u32(w, type);
	w->n_kv++;
}

void gw_kv_str(struct gguf_writer *w, const char *key, const char *val)
{
	gw_key(w, key, GGUF_TYPE_STRING);
	gw_rawstr(w, val, strlen(val));
}

void gw_kv_u32(struct gguf_writer *w, const char *key, uint32_t val)
{
	gw_key(w, key, GGUF_TYPE_UINT32);
	gw_u32(w, val);
}

void gw_kv_f32(struct gguf_writer *w, const char *key, float val)
{
	gw_key(w, key, GGUF_TYPE_FLOAT32);
	gw_raw(w, &val, 4);
}

void gw_kv_bool(struct gguf_writer *w, const char *key, bool val)
{
	uint8_t b = val;
	gw_key(w, key, GGUF_TYPE_BOOL);
	gw_raw(w, &b, 1);
}

void gw_kv_arr(struct gguf_writer *w, const char *key, uint32_t elem_type, uint64_t n)
{
	gw_key(w, key, GGUF_TYPE_ARRAY);
	gw_u32(w, elem_type);
	gw_u64(w, n);
}

void gw_header(struct gguf_writer *w, int n_tensors, const struct mk_hparams *hp)
{
	char key[128];
	gw_u32(w, GGUF_MAGIC);
	gw_u32(w, 3);
	gw_u64(w, (uint64_t)n_tensors);
	w->n_kv_at = w->len;
	gw_u64(w, 0);
	gw_kv_str(w, "general.architecture", hp->arch);
	gw_kv_str(w, "general.name", hp->name);
	gw_kv_u32(w, "general.alignment", GGUF_DEFAULT_ALIGNMENT);
#define K(suffix) (snprintf(key, sizeof key, "%s.%s", hp->arch, suffix), key)
	gw_kv_u32(w, K("context_length"), hp->n_ctx);
	gw_kv_u32(w, K("embedding_length"), hp->n_embd);
	gw_kv_u32(w, K("feed_forward_length"), hp->n_ff);
	gw_kv_u32(w, K("block_count"), hp->n_layer);
	gw_kv_u32(w, K("attention.head_count"), hp->n_head);
	gw_kv_u32(w, K("attention.head_count_kv"), hp->n_head_kv);
	int hd = hp->head_dim ? hp->head_dim : hp->n_embd / hp->n_head;
	gw_kv_u32(w, K("rope.dimension_count"), hd);
	if (hd != hp->n_embd / hp->n_head) {
		gw_kv_u32(w, K("attention.key_length"), hd);
		gw_kv_u32(w, K("attention.value_length"), hd);
	}
	gw_kv_f32(w, K("rope.freq_base"), hp->rope_base);
	gw_kv_f32(w, K("attention.layer_norm_rms_epsilon"), hp->eps);
	if (hp->rope_scale > 0) {
		gw_kv_str(w, K("rope.scaling.type"), "linear");
		gw_kv_f32(w, K("rope.scaling.factor"), hp->rope_scale);
	}
	if (hp->n_expert > 0) {
		gw_kv_u32(w, K("expert_count"), hp->n_expert);
		gw_kv_u32(w, K("expert_used_count"), hp->n_expert_used);
		gw_kv_u32(w, K("expert_feed_forward_length"), hp->n_ff_exp);
	}
	if (hp->n_swa > 0)
		gw_kv_u32(w, K("attention.sliding_window"), hp->n_swa);
	if (hp->swa_period > 0)
		gw_kv_u32(w, K("attention.sliding_window_pattern"), hp->swa_period);
	if (hp->attn_softcap > 0)
		gw_kv_f32(w, K("attn_logit_softcapping"), hp->attn_softcap);
	if (hp->final_softcap > 0)
		gw_kv_f32(w, K("final_logit_softcapping"), hp->final_softcap);
	if (hp->n_ctx_orig > 0)
		gw_kv_u32(w, K("rope.scaling.original_context_length"), hp->n_ctx_orig);
	if (hp->rope_attn_factor > 0)
		gw_kv_f32(w, K("rope.scaling.attn_factor"), hp->rope_attn_factor);
#undef K
	mk_vocab(w, hp);
}

void gw_tensor_info(struct gguf_writer *w, const char *name, int n_dims, const int64_t *ne, int type,
		    uint64_t offset)
{
	gw_rawstr(w, name, strlen(name));
	gw_u32(w, (uint32_t)n_dims);
	for (int i = 0; i < n_dims; i++)
		gw_u64(w, (uint64_t)ne[i]);
	gw_u32(w, (uint32_t)type);
	gw_u64(w, offset);
}

void gw_pad(struct gguf_writer *w)
{
	static const uint8_t zero[GGUF_DEFAULT_ALIGNMENT];
	if (!w->flushed) {
		memcpy(w->buf + w->n_kv_at, &w->n_kv, 8);
		if (w->err || fwrite(w->buf, 1, w->len, w->f) != w->len)
			w->err = 1;
		w->flushed = true;
		free(w->buf);
		w->buf = NULL;
	}
	long pos = ftell(w->f);
	if (pos < 0) {
		w->err = 1;
		return;
	}
	size_t pad = (GGUF_DEFAULT_ALIGNMENT - (size_t)pos % GGUF_DEFAULT_ALIGNMENT) % GGUF_DEFAULT_ALIGNMENT;
	if (pad && fwrite(zero, 1, pad, w->f) != pad)
		w->err = 1;
}
