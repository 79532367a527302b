/* mkmodel's GGUF writer and synthetic vocabularies (host only). */
#ifndef HOST_MKMODEL_H
#define HOST_MKMODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mk_hparams {
	const char *arch, *name, *file_type_name;
	int n_embd, n_ff, n_layer, n_head, n_head_kv, n_ctx, n_vocab;
	float rope_base, eps;
	float rope_scale; /* > 0: {arch}.rope.scaling.type linear with this factor */
	int head_dim;     /* key/value_length, written when not n_embd / n_head */
	int n_expert, n_expert_used, n_ff_exp; /* written when n_expert > 0 */
	int n_swa, swa_period;                 /* sliding window, written when > 0 */
	float attn_softcap, final_softcap;     /* written when > 0 */
	int n_ctx_orig;                        /* LongRoPE's original context, when > 0 */
	float rope_attn_factor;                /* written when > 0 */
	const char *pre;  /* tokenizer.ggml.pre of a BPE vocabulary (default qwen2) */
	bool bpe;    /* byte-level BPE (gpt2 model, qwen2 pre-tokenizer), else SentencePiece */
	bool chatml; /* ChatML chat template and its control tokens */
};

/* The header (kv pairs and tensor infos) is collected in memory, then
 * written at the first gw_pad; tensor data goes straight to the file. */
struct gguf_writer {
	FILE *f;
	uint8_t *buf;
	size_t len, cap;
	uint64_t n_kv;
	size_t n_kv_at; /* offset of the n_kv field in buf */
	bool flushed;
	int err;
};

void gw_header(struct gguf_writer *w, int n_tensors, const struct mk_hparams *hp);
void gw_tensor_info(struct gguf_writer *w, const char *name, int n_dims, const int64_t *ne, int type,
		    uint64_t offset);
/* Flush the header if not yet written, then pad the file to the alignment. */
void gw_pad(struct gguf_writer *w);

/* Key-value writers (used by gw_header and the vocab writer). */
void gw_kv_str(struct gguf_writer *w, const char *key, const char *val);
void gw_kv_u32(struct gguf_writer *w, const char *key, uint32_t val);
void gw_kv_f32(struct gguf_writer *w, const char *key, float val);
void gw_kv_bool(struct gguf_writer *w, const char *key, bool val);
/* Array header; the caller then appends n elements with gw_raw / gw_rawstr. */
void gw_kv_arr(struct gguf_writer *w, const char *key, uint32_t elem_type, uint64_t n);
void gw_raw(struct gguf_writer *w, const void *p, size_t n);
void gw_rawstr(struct gguf_writer *w, const char *s, size_t n);

/* Rewrites the GGUF file src as the n files llama-gguf-split would make of
 * it, OUT-00001-of-0000N.gguf ... (out without its ".gguf"); meta_first:
 * the first file holds the metadata only (llama-gguf-split's
 * --no-tensor-first-split). Returns 0, or -1 with a message. */
int mk_split(const char *src, const char *out, int n, bool meta_first, char *err, size_t errlen);

/* Writes tokenizer.ggml.* for a synthetic vocabulary of hp->n_vocab tokens. */
void mk_vocab(struct gguf_writer *w, const struct mk_hparams *hp);

#endif
