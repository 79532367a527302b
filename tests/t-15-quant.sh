#!/usr/bin/env bash
# Quant kernels (tests/unit/test_quant.c): every type in the table at every
# kernel level this CPU runs, SIMD against the scalar reference; then the
# same at each lower level cap (quant_init(max)) to check the cap is obeyed;
# then Q4_0's own kernels and packed layout (tests/unit/test_q4_0.c).
cd "$(dirname "$0")/.." || exit 2
bin=${BUILD:-build}/host/test_quant
if [ ! -x "$bin" ]; then
	echo "FAIL: quant: $bin not built (make unit)"
	exit 1
fi
"$bin"
rc=$?
for cap in 0 1; do
	got=$("$bin" "$cap" 2>&1 | sed -n 's/^# kernel levels tested: scalar\.\.//p')
	case "$cap:$got" in
	0:scalar | 1:avx2 | 1:scalar) echo "PASS: quant: level cap $cap gives $got" ;;
	*) echo "FAIL: quant: level cap $cap gives '$got'"; rc=1 ;;
	esac
done
q4=${BUILD:-build}/host/test_q4_0
if [ -x "$q4" ]; then
	"$q4" || rc=1
else
	echo "FAIL: quant: $q4 not built (make unit)"
	rc=1
fi
exit $rc
