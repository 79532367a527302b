# Helpers for every suite (tests/t-*.sh; tests/boot-lib.sh adds the QEMU
# ones): sourced from the repository root, not run. pass/fail/skip print
# the lines tests/run.sh counts; fail also sets rc=1, which a host suite
# returns with `exit $rc`. $TMP is a scratch folder removed on exit.
BUILD=${BUILD:-build}
LLM=${LLM:-$BUILD/host/llm}
MK=$BUILD/host/mkmodel
SHARED_MODELS=../shared/conformance/models
REFS=tests/data/llamacpp-ref
TMP=$(mktemp -d /tmp/llm-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
rc=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; rc=1; }
skip() { echo "SKIP: $1 ($2)"; }
# check NAME COMMAND...: PASS if the command succeeds, else FAIL.
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
# expect_eq NAME GOT WANT: PASS when the two strings are equal.
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

# need_built NAME PROGRAM...: a FAIL and the end of the suite (status 1)
# when a program is not built.
need_built() {
	local name=$1 f
	shift
	for f in "$@"; do
		[ -x "$f" ] || { fail "$name" "$f not built: make host unit"; exit 1; }
	done
}

# need_shared NAME: a SKIP and the end of the suite when ../shared is absent.
need_shared() {
	[ -d "$SHARED_MODELS" ] || { skip "$1" "../shared/conformance absent"; exit 0; }
}

# cpu_runs LEVEL NAME: true when this CPU runs the kernels of LEVEL
# (scalar, avx2, avx512); else prints "SKIP: NAME LEVEL (CPU lacks it)".
cpu_runs() {
	case $1 in
	avx2) grep -qw avx2 /proc/cpuinfo ;;
	avx512) grep -qw avx512_vnni /proc/cpuinfo ;;
	esac || { skip "$2 $1" "CPU lacks it"; return 1; }
}

# same_logits NAME MODEL IDS OPTS RUN...: PASS when `llm eval` of the token
# ids IDS prints the same top-16 logits with OPTS plus each RUN's options as
# with OPTS token by token on 1 thread; a RUN "splitN ..." runs with the
# host pool cutting each dispatch into N tasks per worker (LLM_POOL_SPLIT).
same_logits() {
	local name=$1 g=$2 ids=$3 opts=$4 ref got run split bad=""
	shift 4
	# shellcheck disable=SC2086
	ref=$("$LLM" eval "$g" --tokens "$ids" --top 16 $opts -t 1 | md5sum)
	for run in "$@"; do
		split=""
		case $run in split*) split=${run%% *} split=${split#split} run=${run#* } ;; esac
		# shellcheck disable=SC2086
		got=$(LLM_POOL_SPLIT=$split "$LLM" eval "$g" --tokens "$ids" --top 16 $opts $run | md5sum)
		[ "$got" = "$ref" ] || bad="$bad [$run${split:+ split $split}]"
	done
	if [ -z "$bad" ]; then
		pass "$name"
	else
		fail "$name" "differs from token by token on 1 thread:$bad"
	fi
}

# ref_models NAME...: writes each model of $REFS/NAME.ref with mkmodel
# (deterministic) into $TMP/refs/, beside a copy of its .ref, for
# tests/conformance.py; a model mkmodel cannot write is a FAIL.
ref_models() {
	local v args
	mkdir -p "$TMP/refs"
	for v in "$@"; do
		case $v in
		qwen2-tiny-*) args="--preset qwen2-tiny --type ${v#qwen2-tiny-}" ;;
		llama-demo-*) args="--preset demo --type ${v#llama-demo-}" ;;
		llama-tied-ropescale-f32) args="--preset demo --type f32 --tied --rope-scale 4" ;;
		*) fail "mkmodel-$v" "no recipe"; continue ;;
		esac
		# shellcheck disable=SC2086
		if "$MK" $args -o "$TMP/refs/$v.gguf" 2>/dev/null; then
			cp "$REFS/$v.ref" "$TMP/refs/"
		else
			fail "mkmodel-$v"
		fi
	done
}
