#!/usr/bin/env bash
# Conformance against llama.cpp (reads ../shared/conformance; SKIP when it is
# absent): for every model there, the prompt tokenizes to prompt_tokens and
# the teacher-forced logits lie within the README's tolerances, evaluated one
# position at a time and with the prompt as one batch (tests/conformance.py).
# LLM overrides the binary (t-90 runs this with the ASan build).
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
LLM=${LLM:-$BUILD/host/llm}
models=../shared/conformance/models
if [ ! -d "$models" ]; then
	echo "SKIP: conformance (../shared/conformance absent)"
	exit 0
fi
if [ ! -x "$LLM" ]; then
	echo "FAIL: conformance ($LLM not built: make host)"
	exit 1
fi
python3 tests/conformance.py --llm "$LLM" ${CONFORMANCE_EXTRA:+--extra "$CONFORMANCE_EXTRA"} "$models"
