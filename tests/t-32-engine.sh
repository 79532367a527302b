#!/usr/bin/env bash
# Engine unit tests: our float math (ai/aimath.c) against libm in double,
# and the sampler's semantics and seeded determinism (tests/unit/test_engine.c).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_built "engine unit test" "$BUILD/host/test_engine"
"$BUILD/host/test_engine"
