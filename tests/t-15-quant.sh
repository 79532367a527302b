#!/usr/bin/env bash
# Quant kernels (tests/unit/test_quant.c): every type in the table at every
# kernel level this CPU runs, SIMD against the scalar reference; then the
# same at each lower level cap (quant_init(max)) to check the cap is obeyed;
# then Q4_0's own kernels and packed layout (tests/unit/test_q4_0.c).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
bin=$BUILD/host/test_quant
q4=$BUILD/host/test_q4_0
need_built quant "$bin" "$q4"
"$bin" || rc=1
for cap in 0 1; do
	got=$("$bin" "$cap" 2>&1 | sed -n 's/^# kernel levels tested: scalar\.\.//p')
	case "$cap:$got" in
	0:scalar | 1:avx2 | 1:scalar) pass "quant: level cap $cap gives $got" ;;
	*) fail "quant: level cap $cap gives '$got'" ;;
	esac
done
"$q4" || rc=1
exit $rc
