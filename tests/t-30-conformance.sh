#!/usr/bin/env bash
# Conformance against llama.cpp (reads ../shared/conformance; SKIP when it is
# absent): for every model there, the prompt tokenizes to prompt_tokens and
# the teacher-forced logits lie within the README's tolerances, evaluated one
# position at a time and with the prompt as one batch (tests/conformance.py).
# LLM overrides the binary (t-90 runs this with the ASan build).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_shared conformance
need_built conformance "$LLM"
python3 tests/conformance.py --llm "$LLM" ${CONFORMANCE_EXTRA:+--extra "$CONFORMANCE_EXTRA"} "$SHARED_MODELS"
