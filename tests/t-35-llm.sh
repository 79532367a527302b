#!/usr/bin/env bash
# The llm CLI: greedy generation on the real aidreams model reproduces
# llama.cpp's greedy text, --ids format, seeded sampling is reproducible,
# results do not depend on the thread count, the batched prompt path equals
# the token-by-token one, bench prints its two lines, and bad input gives a
# non-zero status with one message; the table of generation options
# (tests/unit/test_genopt.c). Model checks read ../shared/conformance
# (SKIP when absent).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
M=$SHARED_MODELS
need_built llm "$LLM" "$BUILD/host/test_genopt"

# ---- the option table the CLI, the shell and the HTTP API share ----------------
"$BUILD/host/test_genopt" || rc=1

# ---- bad input: non-zero status and one line on stderr ----------------------
printf 'this is not a gguf file, just text\n' >"$TMP/text.gguf"
expect_error() { # name, expected substring, command...
	local name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local st=$?
	if [ $st -ne 0 ] && [ $st -lt 124 ] && grep -qiF -- "$want" "$TMP/err"; then
		pass "llm-error-$name"
	else
		fail "llm-error-$name" "status $st, stderr: $(head -c 200 "$TMP/err")"
	fi
}
expect_error missing-file "No such file" "$LLM" info "$TMP/nope.gguf"
expect_error not-gguf "not a GGUF" "$LLM" info "$TMP/text.gguf"
expect_error unknown-command "unknown command" "$LLM" frobnicate "$TMP/x.gguf"
expect_error unknown-option "unknown option" "$LLM" generate "$TMP/x.gguf" --bogus
expect_error bad-number "bad number" "$LLM" generate "$TMP/x.gguf" -p hi -n 12abc
expect_error bad-temp "bad number" "$LLM" generate "$TMP/x.gguf" -p hi --temp -1
expect_error bad-kernels "unknown value" "$LLM" info "$TMP/x.gguf" --kernels sse9
expect_error no-model "no model" "$LLM" generate -p hi
expect_error missing-value "needs a value" "$LLM" generate "$TMP/x.gguf" -p
if "$LLM" --help | grep -q "usage: llm"; then pass llm-help; else fail llm-help; fi

if [ ! -d "$M" ]; then
	skip llm-models "../shared/conformance absent"
	exit $rc
fi
A=$M/aidreams260K-f32.gguf
Q=$M/synth-llama-q4_0.gguf
K=$M/synth-llama-q4_k_m.gguf

expect_error prompt-too-long "longer than the context" \
	"$LLM" generate "$A" -c 8 -p "Flickers of light danced over the quiet water at night"
expect_error bad-token "bad token id" "$LLM" eval "$A" --tokens "1 99999"

# ---- greedy text equals llama.cpp's greedy_text prefix ----------------------
ref_text=$(sed -n 's/^greedy_text //p' "${A%.gguf}.ref")
out=$("$LLM" generate "$A" -p "Flickers of" --temp 0 -n 40 2>/dev/null)
if [ -n "$out" ] && [ "${ref_text#"$out"}" != "$ref_text" ]; then
	pass "llm-generate-greedy-aidreams"
else
	fail "llm-generate-greedy-aidreams" "got '$out', reference '$ref_text'"
fi

# ---- --ids: the generated ids on one line = greedy_tokens -------------------
ref_ids=$(sed -n 's/^greedy_tokens //p' "${A%.gguf}.ref" | cut -d' ' -f1-24)
ids=$("$LLM" generate "$A" -p "Flickers of" --temp 0 -n 24 --ids 2>/dev/null)
if [ "$ids" = "$ref_ids" ] && [ "$(printf '%s\n' "$ids" | wc -l)" -eq 1 ]; then
	pass "llm-generate-ids"
else
	fail "llm-generate-ids" "got '$ids', want '$ref_ids'"
fi

# ---- seeded sampling ---------------------------------------------------------
s1=$("$LLM" generate "$A" -p "Once upon" --temp 0.9 --top-k 40 --top-p 0.95 --seed 42 -n 32 --ids 2>/dev/null)
s2=$("$LLM" generate "$A" -p "Once upon" --temp 0.9 --top-k 40 --top-p 0.95 --seed 42 -n 32 --ids 2>/dev/null)
s3=$("$LLM" generate "$A" -p "Once upon" --temp 0.9 --top-k 40 --top-p 0.95 --seed 7 -n 32 --ids 2>/dev/null)
if [ -n "$s1" ] && [ "$s1" = "$s2" ]; then pass llm-seed-reproducible; else fail llm-seed-reproducible "'$s1' vs '$s2'"; fi
if [ -n "$s3" ] && [ "$s1" != "$s3" ]; then pass llm-seed-differs; else fail llm-seed-differs "seed 42 and 7 both gave '$s1'"; fi
p1=$("$LLM" generate "$A" -p "Once upon" --temp 1.2 --min-p 0.02 --repeat-penalty 1.3 --seed 3 -n 32 --ids 2>/dev/null)
p2=$("$LLM" generate "$A" -p "Once upon" --temp 1.2 --min-p 0.02 --repeat-penalty 1.3 --seed 3 -n 32 --ids 2>/dev/null)
if [ -n "$p1" ] && [ "$p1" = "$p2" ]; then pass llm-sampler-options; else fail llm-sampler-options "'$p1' vs '$p2'"; fi

# ---- thread count does not change the ids ------------------------------------
for m in "$Q" "$K"; do
	n=$(basename "$m" .gguf)
	t1=$("$LLM" generate "$m" -p "Once upon a time" --temp 0 -n 24 --ids -t 1 2>/dev/null)
	t2=$("$LLM" generate "$m" -p "Once upon a time" --temp 0 -n 24 --ids -t 2 2>/dev/null)
	t3=$("$LLM" generate "$m" -p "Once upon a time" --temp 0 -n 24 --ids -t 3 2>/dev/null)
	if [ -n "$t1" ] && [ "$t1" = "$t2" ] && [ "$t1" = "$t3" ]; then
		pass "llm-threads-$n"
	else
		fail "llm-threads-$n" "-t1 '$t1' -t2 '$t2' -t3 '$t3'"
	fi
done

# ---- batched prompt == one token at a time, exactly --------------------------
toks="1 429 491 433 295 429 444 445 265 262 263 342 430 87 48 100 12 7"
for m in "$Q" "$K" "$A"; do
	n=$(basename "$m" .gguf)
	"$LLM" eval "$m" --tokens "$toks" --top 8 >"$TMP/seq" 2>"$TMP/err"
	"$LLM" eval "$m" --tokens "$toks" --top 8 --batch 13 -t 2 >"$TMP/bat" 2>>"$TMP/err"
	if [ -s "$TMP/seq" ] && cmp -s "$TMP/seq" "$TMP/bat" && [ "$(wc -l <"$TMP/seq")" -eq 18 ]; then
		pass "llm-eval-batch-$n"
	else
		fail "llm-eval-batch-$n" "$(diff "$TMP/seq" "$TMP/bat" | head -3) $(head -c 200 "$TMP/err")"
	fi
done

# ---- bench prints both lines ---------------------------------------------------
b=$("$LLM" bench "$A" -p 16 -n 8 -r 2 2>&1)
if grep -Eq '^pp 16: [0-9.]+ tok/s$' <<<"$b" && grep -Eq '^tg 8: [0-9.]+ tok/s$' <<<"$b"; then
	pass llm-bench
else
	fail llm-bench "$b"
fi

# ---- info ------------------------------------------------------------------------
i=$("$LLM" info "$K" 2>&1)
if grep -q "architecture: llama" <<<"$i" && grep -q "n_head_kv: 4" <<<"$i" && grep -q "q4_K:" <<<"$i" &&
	grep -q "vocab: llama, 512 tokens" <<<"$i"; then
	pass llm-info
else
	fail llm-info "$i"
fi
exit $rc
