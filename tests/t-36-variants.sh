#!/usr/bin/env bash
# Model variants that ../shared/conformance lacks, against llama.cpp, with no
# ../shared needed: mkmodel writes each model afresh (deterministic), and
# tests/conformance.py compares the prompt's tokens and the teacher-forced
# logits (one position at a time, and batched) with
# tests/data/llamacpp-ref/NAME.ref, logits that llama.cpp (the version at
# /work/llama.cpp, CPU, one thread) computed from exactly these files.
#   qwen2-tiny-*: qwen2 (q/k/v biases, NeoX RoPE, rope base 1e6, tied
#     output, GQA, byte-level BPE with the qwen2 pre-tokenizer, ChatML).
#   llama-tied-ropescale-f32: llama with tied output and linear RoPE
#     scaling (factor 4).
# Then `llm info`, `generate` and `tokenize` on the qwen2 model.
# VARIANTS overrides the list (names of tests/data/llamacpp-ref/*.ref).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_built variants "$LLM" "$MK"
# shellcheck disable=SC2086
ref_models ${VARIANTS:-qwen2-tiny-f32 qwen2-tiny-q4_k_m qwen2-tiny-q8_0 llama-tied-ropescale-f32}
python3 tests/conformance.py --llm "$LLM" "$TMP/refs" || rc=1

g=$TMP/qwen2.gguf
"$MK" --preset qwen2-tiny --type f32 -o "$g" 2>/dev/null
info=$("$LLM" info "$g" 2>&1)
if grep -qx 'architecture: qwen2' <<<"$info" && grep -q '^rope: neox' <<<"$info" &&
	grep -qx 'output: tied to token_embd' <<<"$info" && grep -q '^vocab: gpt2, 2048 tokens' <<<"$info"; then
	pass "qwen2-info"
else
	fail "qwen2-info" "$(tr '\n' '|' <<<"$info" | head -c 300)"
fi

out=$("$LLM" generate "$g" -p "Hello, world" -n 6 --temp 0 --ids 2>"$TMP/err")
if [ $? -eq 0 ] && [ "$(wc -w <<<"$out")" -eq 6 ] && grep -q 'stop: token limit' "$TMP/err"; then
	pass "qwen2-generate"
else
	fail "qwen2-generate" "ids '$out', $(head -c 200 "$TMP/err")"
fi

# qwen2 pre-tokenizer: digits one by one, contractions, unicode letters,
# and no BOS (add_bos_token false); the expected ids are llama.cpp's.
ids=$(printf "I've 12345 caf\xc3\xa9 \xf0\x9f\x99\x82!" | "$LLM" tokenize "$g")
expect_eq qwen2-tokenize "$ids" "73 39 802 32 49 50 51 52 53 267 349 195 169 32 240 159 153 130 33"

# bytes that are not UTF-8 become U+FFFD and overlong forms are shortened
# before the split, as llama.cpp does (ids from llama.cpp)
ids=$(printf 'a\xe0\x97\x97b\xfc[\x97\xc3\nx\xc3' | "$LLM" tokenize "$g")
expect_eq qwen2-tokenize-invalid-utf8 "$ids" \
	"97 215 151 98 239 191 189 91 239 191 189 239 191 189 10 120 239 191 189"
exit $rc
