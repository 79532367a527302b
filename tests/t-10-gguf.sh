#!/usr/bin/env bash
# GGUF parser: in-memory v2/v3 files (every value type, nested arrays,
# alignment, every truncation and byte flip of small files), the models and
# vocabs of ../shared/conformance (SKIP when ../shared is absent), the
# malformed corpus made by tools/mkbadgguf.py (each file must fail with its
# expected message), and `llm info` on a few broken files when llm is built.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
bin=$BUILD/host/test_gguf
need_built "gguf unit test" "$bin"
"$bin" --shared ../shared/conformance || rc=1

bad=$BUILD/bad-gguf
rm -rf "$bad"
if ! python3 tools/mkbadgguf.py "$bad"; then
	fail gguf-bad-corpus "tools/mkbadgguf.py failed"
	exit 1
fi
"$bin" --bad "$bad" || rc=1

# The CLI turns a parser error into one message and a non-zero status.
if [ -x "$LLM" ]; then
	for c in "bad-magic:bad magic" "version-1:version 1" "data-past-end:data past end" \
		"array-depth-bomb:nested deeper"; do
		f=$bad/${c%%:*}.gguf want=${c#*:}
		out=$(timeout 20 "$LLM" info "$f" 2>&1)
		st=$?
		if [ $st -ne 0 ] && [ $st -lt 124 ] && grep -qF "$want" <<<"$out"; then
			pass "gguf-llm-info-${c%%:*}"
		else
			fail "gguf-llm-info-${c%%:*}" "status $st, output: $(head -c 200 <<<"$out")"
		fi
	done
else
	skip gguf-llm-info "no $LLM"
fi
exit $rc
