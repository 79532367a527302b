#!/usr/bin/env bash
# Tokenizers: synthetic vocabularies and pre-tokenizer splits against
# tests/tok_pre_ref.py (always); every tokenizer.ggml.pre name's splits and
# ids against llama.cpp's (tests/data/llamacpp-tok/pre.txt, test_tok_pre:
# also SentencePiece as Llama, Gemma and Phi-3 use it); and, when ../shared is
# present, llama.cpp's vocab test cases (../shared/conformance/vocab), the
# prompts of ../shared/conformance/models/*.ref and decode round trips.
cd "$(dirname "$0")/.." || exit 2
B=${BUILD:-build}/host
for t in test_tok_synth test_tokenizer test_tok_pre; do
	if [ ! -x "$B/$t" ]; then
		echo "FAIL: $t not built (make unit)"
		continue
	fi
done
[ -x "$B/test_tok_synth" ] && "$B/test_tok_synth"
# every tokenizer.ggml.pre: splits and ids against llama.cpp's (committed data)
if [ -x "$B/test_tok_pre" ]; then
	"$B/test_tok_pre" tests/data/llamacpp-tok/pre.txt
else
	echo "FAIL: test_tok_pre not built (make unit)"
fi
if [ -d ../shared/conformance/vocab ]; then
	[ -x "$B/test_tokenizer" ] && "$B/test_tokenizer" ../shared/conformance
else
	echo "SKIP: tokenizer conformance (../shared/conformance absent)"
fi
# pre-tokenizer splits == Python's backtracking re (tests/tok_pre_ref.py)
if [ -x "$B/test_tok_synth" ] && ref=$(python3 tests/tok_pre_ref.py 400 1 2>/dev/null); then
	got=$(cut -f1,2 <<<"$ref" | "$B/test_tok_synth" --split)
	if [ "$got" == "$ref" ]; then
		echo "PASS: pre-tokenizers: 2000 random texts split as Python re does (5 regex sets)"
	else
		echo "FAIL: pre-tokenizers differ from tests/tok_pre_ref.py:"
		diff <(echo "$ref") <(echo "$got") | head -6
	fi
else
	echo "SKIP: pre-tokenizer differential test (python3 or test_tok_synth missing)"
fi
# ai/unicode_data.c is what tools/gen_unicode.py generates (same Unicode
# version), or at least agrees with python3's older Unicode where it assigns
gen=$(python3 tools/gen_unicode.py 2>/dev/null)
if [ -z "$gen" ]; then
	echo "SKIP: unicode tables regenerate (python3 unavailable)"
elif [ "$(head -1 <<<"$gen")" == "$(head -1 ai/unicode_data.c)" ]; then
	if [ "$gen" == "$(cat ai/unicode_data.c)" ]; then
		echo "PASS: unicode tables: ai/unicode_data.c matches tools/gen_unicode.py"
	else
		echo "FAIL: unicode tables: ai/unicode_data.c differs from tools/gen_unicode.py output"
	fi
elif msg=$(python3 tools/gen_unicode.py --check ai/unicode_data.c); then
	echo "PASS: unicode tables agree with python3's unicodedata ($msg)"
else
	echo "FAIL: unicode tables: $msg"
fi
exit 0
