/*
 * Tokenizers built from a GGUF vocabulary (tokenizer.ggml.* keys):
 *   "llama": SentencePiece-style; pieces with scores, U+2581 for spaces,
 *            byte fallback tokens <0xNN>, merges chosen by highest score
 *            (as llama.cpp's llm_tokenizer_spm).
 *   "gpt2":  byte-level BPE; ranked merges, the GPT-2 byte->unicode mapping,
 *            and a pre-tokenizer split chosen by tokenizer.ggml.pre
 *            (default/gpt2, llama-bpe/llama3, qwen2, smollm, ...).
 * Token types (tokenizer.ggml.token_type): 1 normal, 2 unknown, 3 control,
 * 4 user-defined, 5 unused, 6 byte. With parse_special, the texts of control
 * and user-defined tokens are recognised in the input as single tokens.
 *
 * A loaded tokenizer is read-only: encode/piece may run on several threads.
 * It copies what it needs, so the GGUF buffer may go away after loading.
 */
#ifndef AI_TOKENIZER_H
#define AI_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/gguf.h"

struct tokenizer; /* opaque */

/* NULL + message on error: unknown tokenizer.ggml.model or .pre (named in
 * the message), missing keys, bad token ids, malformed arrays. */
struct tokenizer *tokenizer_load(const struct gguf *g, char *err, size_t errlen);
void tokenizer_free(struct tokenizer *t);

/* Encode text (bytes, len; any bytes, need not be valid UTF-8) to ids.
 * add_bos: prepend BOS; parse_special: recognise control/user-defined
 * token texts (e.g. "<|im_start|>") in the text. Returns the number of ids
 * produced (may exceed max; only max are written) or -1 on error. */
int tokenizer_encode(const struct tokenizer *t, const char *text, size_t len,
		     bool add_bos, bool parse_special, int32_t *out, int max);

/* The bytes a token contributes to the output text: byte-fallback <0xNN>
 * -> that byte; SentencePiece U+2581 -> space; byte-level BPE -> its bytes;
 * control tokens -> "". Returns the full length (may exceed n; at most n
 * bytes are written, no NUL terminator), or -1 for an id out of range. */
int tokenizer_piece(const struct tokenizer *t, int32_t id, char *buf, int n);

int tokenizer_n_vocab(const struct tokenizer *t);
int32_t tokenizer_bos(const struct tokenizer *t);
int32_t tokenizer_eos(const struct tokenizer *t);
int32_t tokenizer_eot(const struct tokenizer *t); /* -1 if none */
/* End of generation: EOS, EOT, EOM and the other end-like control tokens
 * (<|im_end|>, <|eot_id|>, <|endoftext|>, </s>, <end_of_turn>...). */
bool tokenizer_is_eog(const struct tokenizer *t, int32_t id);
/* tokenizer.ggml.add_bos_token; default true for llama, false for gpt2. */
bool tokenizer_wants_bos(const struct tokenizer *t);
const char *tokenizer_kind(const struct tokenizer *t); /* "llama" | "gpt2" */
/* The id of the token whose vocabulary text is exactly (text, len), -1 if
 * none. For gpt2 vocabularies the text is the raw (byte-mapped) vocab entry;
 * special tokens like "<|im_end|>" are the same either way. */
int32_t tokenizer_find(const struct tokenizer *t, const char *text, size_t len);

#endif
