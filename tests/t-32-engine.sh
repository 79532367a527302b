#!/usr/bin/env bash
# Engine unit tests: our float math (ai/aimath.c) against libm in double,
# and the sampler's semantics and seeded determinism (tests/unit/test_engine.c).
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
bin=$BUILD/host/test_engine
if [ ! -x "$bin" ]; then
	echo "FAIL: engine unit test ($bin not built: make unit)"
	exit 1
fi
"$bin"
