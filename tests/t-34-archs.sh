#!/usr/bin/env bash
# The architectures beyond llama/qwen2 (issue 13) against llama.cpp, with no
# ../shared needed: mkmodel writes each model afresh (deterministic), and
# tests/conformance.py compares the prompt's tokens and the teacher-forced
# logits (one position at a time, and the prompt as one batch) with
# tests/data/llamacpp-ref/NAME.ref, at every kernel level the CPU has and
# on 1 and 2 threads.
#   qwen3-tiny: per-head q/k RMSNorms, NeoX RoPE, key_length 128 (q_dim 512
#     != n_embd 256), tied output.
#   qwen3moe-tiny: 16 experts, 4 used (router softmax, top-k, renormalised
#     weights; the prompt grouped by expert).
#   gemma2-tiny: sqrt(n_embd)-scaled embeddings, GELU, post-attention and
#     post-FFN norms, attention (50) and logit (30) soft-capping, a 16-token
#     window on every other layer (the positions run past it).
#   gemma3-tiny: gemma2 without soft-capping plus q/k norms, a window on 2
#     of every 3 layers with their own RoPE base (10000, 1e6 elsewhere),
#     one KV head for 4 query heads, q_dim 512.
#   phi3-tiny(-long): fused attn_qkv and gate+up, LongRoPE short factors
#     (context within the original 4096) and long ones with attn_factor
#     1.19 (original context 512 < 2048).
# The references were made by llama.cpp (a 2026 tree, CPU, AVX2 build) on its
# plain path: a program against libllama outside this tree loads each model
# with use_extra_bufts = false, flash attention disabled, one thread,
# n_ctx = min(context_length, 2048), tokenizes the prompt with BOS as the
# vocabulary says, and evaluates every position alone (llama_decode of one
# token), printing the five largest logits per step and feeding its argmax.
# q8_0 is referenced where its logits agree with llama.cpp's bit for bit
# here: on the others one 8-bit rounding, flipped by an ulp of difference in
# an attention dot (ggml's AVX2 f16 dot sums in another order than its
# AVX-512 one, which the engine follows), moves a logit past q8_0's tight
# tolerance.
# Then: the expert layers give byte-identical logits token by token and in
# batches on 1 or 2 threads; `llm info`; unknown architectures and bad
# hyperparameters fail with one message naming them.
# VARIANTS overrides the list (names of tests/data/llamacpp-ref/*.ref).
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
LLM=${LLM:-$BUILD/host/llm}
MK=$BUILD/host/mkmodel
REFS=tests/data/llamacpp-ref
rc=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; rc=1; }
for f in "$LLM" "$MK"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: archs ($f not built: make host)"
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

variants=${VARIANTS:-"qwen3-tiny-f32 qwen3-tiny-q4_k_m qwen3moe-tiny-f32 qwen3moe-tiny-q4_k_m
	qwen3moe-tiny-q8_0 gemma2-tiny-f32 gemma2-tiny-q4_k_m gemma2-tiny-q8_0 gemma3-tiny-f32
	gemma3-tiny-q4_k_m gemma3-tiny-q8_0 phi3-tiny-f32 phi3-tiny-q4_k_m phi3-tiny-q4_0
	phi3-tiny-long-f32 phi3-tiny-long-q4_k_m"}
mkdir "$tmp/ref"
for v in $variants; do
	# NAME-TYPE: mkmodel --preset NAME --type TYPE
	if ! "$MK" --preset "${v%-*}" --type "${v##*-}" -o "$tmp/ref/$v.gguf" 2>/dev/null; then
		fail "archs-mkmodel-$v"
		continue
	fi
	cp "$REFS/$v.ref" "$tmp/ref/"
done

levels="scalar"
grep -qw avx2 /proc/cpuinfo && levels="$levels avx2"
if grep -qw avx512_vnni /proc/cpuinfo; then
	levels="$levels avx512"
else
	echo "SKIP: archs avx512 (CPU lacks it)"
fi
for k in $levels; do
	for t in 1 2; do
		python3 tests/conformance.py --llm "$LLM" --extra "--kernels $k -t $t" "$tmp/ref" |
			sed "s/^\(PASS\|FAIL\): conformance\(-batch\)\? \([^ ]*\)/\1: archs\2 \3 $k -t$t/" |
			tee "$tmp/conf.log"
		grep -q '^FAIL' "$tmp/conf.log" && rc=1
	done
done

# the expert layers: grouping tokens by expert changes no bit
ids=$(seq 1 40 | awk '{ printf "%d ", ($1 * 37) % 2000 + 1 }')
for ty in q4_k_m q8_0 q4_0; do
	g=$tmp/moe-$ty.gguf
	"$MK" --preset qwen3moe-tiny --type $ty -o "$g" 2>/dev/null
	ref=$("$LLM" eval "$g" --tokens "$ids" --top 16 -t 1 | md5sum)
	bad=""
	for run in "-t 1 --batch 40" "-t 2 --batch 40" "-t 2 --batch 13" "-t 2" "-t 2 --no-pack --batch 40"; do
		# shellcheck disable=SC2086
		got=$("$LLM" eval "$g" --tokens "$ids" --top 16 $run | md5sum)
		[ "$got" = "$ref" ] || bad="$bad [$run]"
	done
	if [ -z "$bad" ]; then
		pass "archs-moe-batch-$ty"
	else
		fail "archs-moe-batch-$ty" "differs from token by token on 1 thread:$bad"
	fi
done

info=$("$LLM" info "$tmp/moe-q4_k_m.gguf" 2>&1)
if grep -qx 'architecture: qwen3moe' <<<"$info" && grep -qx 'experts: 16, 4 used per token, n_ff_exp 256' <<<"$info" &&
	grep -q '^weights: .* (a token reads ' <<<"$info"; then
	pass "archs-info-qwen3moe"
else
	fail "archs-info-qwen3moe" "$(tr '\n' '|' <<<"$info" | head -c 300)"
fi
g=$tmp/gemma3.gguf
"$MK" --preset gemma3-tiny --type f32 -o "$g" 2>/dev/null
info=$("$LLM" info "$g" 2>&1)
if grep -qx 'sliding window: 16 positions on 4 of 6 layers, freq_base 10000' <<<"$info" &&
	grep -qx 'head_dim: 128' <<<"$info"; then
	pass "archs-info-gemma3"
else
	fail "archs-info-gemma3" "$(tr '\n' '|' <<<"$info" | head -c 300)"
fi

# Rewrites the value of KEY (a u32, f32 or string of the same length) in a
# copy of GGUF $1 as $4; python's struct format $3 (I, f, or s for a string).
patch_kv() {
	python3 - "$@" <<'EOF'
import struct, sys
src, key, fmt, val, dst = sys.argv[1:6]
data = bytearray(open(src, "rb").read())
k = key.encode()
at = data.find(struct.pack("<Q", len(k)) + k)
assert at >= 0, key
at += 8 + len(k) + 4
if fmt == "s":
    n = struct.unpack_from("<Q", data, at)[0]
    assert n == len(val), "same length only"
    data[at + 8:at + 8 + n] = val.encode()
else:
    struct.pack_into("<" + fmt, data, at, int(val) if fmt == "I" else float(val))
open(dst, "wb").write(data)
EOF
}

# load_err NAME FILE WANT: `llm info` fails and says WANT
load_err() {
	local out
	out=$("$LLM" info "$2" 2>&1)
	if [ $? -ne 0 ] && grep -qF "$3" <<<"$out"; then
		pass "archs-reject-$1"
	else
		fail "archs-reject-$1" "$(grep -m1 '^model:' <<<"$out")"
	fi
}
patch_kv "$g" general.architecture s gemma9 "$tmp/bad.gguf"
load_err arch "$tmp/bad.gguf" "architecture 'gemma9' is not supported (supported: llama, qwen2, qwen3, qwen3moe, gemma2, gemma3, phi3)"
m=$tmp/moe-q4_k_m.gguf
patch_kv "$m" qwen3moe.expert_used_count I 17 "$tmp/bad.gguf"
load_err expert-used "$tmp/bad.gguf" "key qwen3moe.expert_used_count: value 17 out of range (1..16)"
patch_kv "$m" qwen3moe.expert_count I 4096 "$tmp/bad.gguf"
load_err expert-count "$tmp/bad.gguf" "key qwen3moe.expert_count: value 4096 out of range (1..512)"
patch_kv "$m" qwen3moe.expert_feed_forward_length I 128 "$tmp/bad.gguf"
load_err expert-shape "$tmp/bad.gguf" "tensor blk.0.ffn_gate_exps.weight: shape [256, 256, 16], expected [256, 128, 16]"
"$MK" --preset gemma2-tiny --type f32 -o "$tmp/g2.gguf" 2>/dev/null
patch_kv "$tmp/g2.gguf" gemma2.attn_logit_softcapping f nan "$tmp/bad.gguf"
load_err softcap "$tmp/bad.gguf" "key gemma2.attn_logit_softcapping: value nan out of range"
patch_kv "$tmp/g2.gguf" gemma2.attention.sliding_window I 0 "$tmp/bad.gguf"
load_err swa "$tmp/bad.gguf" "key gemma2.attention.sliding_window: value 0 out of range"
patch_kv "$g" gemma3.rope.freq_base f inf "$tmp/bad.gguf"
load_err rope-base "$tmp/bad.gguf" "key gemma3.rope.freq_base: value inf out of range"
"$MK" --preset phi3-tiny-long --type f32 -o "$tmp/p3.gguf" 2>/dev/null
patch_kv "$tmp/p3.gguf" phi3.rope.scaling.attn_factor f -1 "$tmp/bad.gguf"
load_err attn-factor "$tmp/bad.gguf" "key phi3.rope.scaling.attn_factor: value -1 out of range"
exit $rc
