#!/usr/bin/env bash
# llm serve: the OpenAI-compatible HTTP API and the chat page on the host
# (net/ over POSIX sockets, bound to 127.0.0.1).
#  - unit tests: the HTTP parser (test_http), JSON (test_json), the server
#    over a mock transport (test_server, on mkmodel's chat preset and on
#    aidreams when ../shared is there)
#  - the client checks of tests/api-checks.sh (shared with t-57, the same
#    against the OS): curl against every endpoint, streamed and not, with
#    and without the key; the temperature-0 text equals `llm generate`'s;
#    hostile requests get their 4xx and the server goes on; the official
#    `openai` npm client (npm install into $BUILD/npm; SKIP when npm or the
#    registry is unreachable); the chat page in headless Chromium (SKIP
#    without chromium); embeddings equal llama.cpp's mean-pooled, normalised ones
#    (tests/data/llamacpp-ref/embed-*.txt, made by a libllama program outside
#    the repo: mean pooling, L2 norm, no repacking, no flash attention, one
#    thread, tokens with add_special + parse_special as llama-embedding)
#  - a client that leaves stops its generation
#  - a bounded load test: more clients than connections for 12 s, each
#    request answered or refused with 503, a never-finished request 408
#  - speed: tokens/s of a streamed request >= 0.95x `llm generate` (same
#    model, prompt, one thread; tokens per CPU-second over 4 rounds each,
#    wall-clock tok/s and the time to the first streamed token reported)
# Models: ../shared/conformance (aidreams, synth-llama-*) when present, else
# mkmodel presets (qwen2-tiny in q4_0 and f32).
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
B=$BUILD/host
LLM=$B/llm
M=../shared/conformance/models
rc=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; rc=1; }
skip() { echo "SKIP: $1 ($2)"; }
for t in llm mkmodel test_http test_json test_server; do
	if [ ! -x "$B/$t" ]; then
		echo "FAIL: serve: $B/$t not built (make host unit)"
		exit 1
	fi
done
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- unit tests -----------------------------------------------------------------
"$B/test_http" || rc=1
"$B/test_json" || rc=1
"$B/mkmodel" --preset chat -o "$tmp/chat.gguf" >/dev/null 2>&1 || fail "mkmodel --preset chat"
"$B/mkmodel" --preset qwen2-tiny -o "$tmp/tiny.gguf" >/dev/null 2>&1 || fail "mkmodel --preset qwen2-tiny"
"$B/test_server" "$tmp/chat.gguf" | sed 's/^\(PASS\|FAIL\): /\1: [chat preset] /'
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
if [ -f "$M/aidreams260K-f32.gguf" ]; then
	"$B/test_server" "$M/aidreams260K-f32.gguf" | sed 's/^\(PASS\|FAIL\): /\1: [aidreams] /'
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	MODEL=$M/aidreams260K-f32.gguf
	PROMPT="Flickers of"
else
	skip "server unit tests on aidreams" "../shared absent"
	MODEL=$tmp/tiny.gguf
	PROMPT="Once upon a time"
fi

# start NAME ARGS...: llm serve ARGS on a free port; sets PORT (0: failed)
start() {
	local name=$1 i
	shift
	"$LLM" serve "$@" --port 0 >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	PORT=0
	for i in $(seq 1 300); do
		PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/$name.out" 2>/dev/null)
		[ -n "$PORT" ] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	PORT=0
	return 1
}
# stop: the last server started, which must exit 0 on SIGTERM
stop() {
	local p=${pids[-1]}
	kill "$p" 2>/dev/null
	wait "$p"
	local st=$?
	unset 'pids[-1]'
	return $st
}
if ! start main "$MODEL" -t 1; then
	fail "serve-start" "$(head -c 300 "$tmp/main.err")"
	exit 1
fi
pass "serve-start (port $PORT, model $(basename "$MODEL"))"
MAIN_PORT=$PORT
U=http://127.0.0.1:$PORT
# curl on every endpoint, hostile requests, the chat page (tests/api-checks.sh)
bash tests/api-checks.sh "$U" "$MODEL" "$PROMPT" endpoints hostile page || rc=1
code() { curl -s --max-time 60 -o /dev/null -w '%{http_code}' "$@"; }

# ---- a client that leaves stops its generation ----------------------------------------
# On a server of its own with the qwen2-tiny preset (2048 positions): the
# main model may be aidreams, whose 128 positions a fast CPU fills in a few
# ms, before any client could leave (the generation ends on "length").
# Sampled at temperature 1, a generation can still end on its own before the
# client goes: up to three clients, each given 10 s to be noticed.
if start leave "$tmp/tiny.gguf" -t 1; then
	left=
	for _ in 1 2 3; do
		python3 tests/serve-client.py leave 127.0.0.1 "$PORT" \
			'{"prompt":"Once","max_tokens":100000,"temperature":1.0}' 3 >/dev/null
		for _ in $(seq 1 100); do
			left=$(grep 'the client left' "$tmp/leave.err" | tail -1)
			[ -n "$left" ] && break
			sleep 0.1
		done
		[ -n "$left" ] && break
	done
	[ -n "$left" ] && [ "$(code "http://127.0.0.1:$PORT/health")" = 200 ] &&
		pass "a client that leaves stops its generation (${left#* })" ||
		fail "a client that leaves stops its generation" "$(tail -3 "$tmp/leave.err")"
	stop || fail "leave server exits 0 on SIGTERM"
else
	fail "serve qwen2-tiny" "$(head -c 300 "$tmp/leave.err")"
fi

# ---- the openai npm client and the key, on a server that wants one -----------------------
if start keyed "$MODEL" -t 1 --api-key "t38-key"; then
	bash tests/api-checks.sh --key t38-key "http://127.0.0.1:$PORT" "$MODEL" "$PROMPT" openai key || rc=1
	stop || fail "keyed server exits 0 on SIGTERM"
else
	fail "serve --api-key start" "$(head -c 300 "$tmp/keyed.err")"
fi

# ---- embeddings equal llama.cpp's ---------------------------------------------------------------
if [ -d "$M" ]; then
	for ref in tests/data/llamacpp-ref/embed-*.txt; do
		name=$(basename "$ref" .txt)
		name=${name#embed-}
		[ -f "$M/$name.gguf" ] || continue
		if start "emb-$name" "$M/$name.gguf" -t 1; then
			bash tests/api-checks.sh "http://127.0.0.1:$PORT" "$M/$name.gguf" "x" embed || rc=1
			stop || fail "emb-$name server exits 0"
		else
			fail "serve $name" "$(head -c 300 "$tmp/emb-$name.err")"
		fi
	done
else
	skip "embeddings vs llama.cpp" "../shared absent"
fi

# ---- load ------------------------------------------------------------------------------------------
python3 tests/serve-client.py load 127.0.0.1 "$MAIN_PORT" 12 24 | tee "$tmp/load"
grep -q '^FAIL' "$tmp/load" && rc=1
kill -0 "${pids[0]}" 2>/dev/null && pass "the server survived the load test" || fail "the server died under load"

# ---- speed: a streamed request against llm generate ---------------------------------------------
if [ -f "$M/synth-llama-f32.gguf" ]; then
	SM=$M/synth-llama-f32.gguf SP="1 2 3 4" SN=400
else
	"$B/mkmodel" --preset qwen2-tiny --type f32 -o "$tmp/tiny32.gguf" >/dev/null 2>&1 ||
		fail "mkmodel --preset qwen2-tiny --type f32"
	SM=$tmp/tiny32.gguf SP="Once upon a time" SN=400
fi
if [ "${BUILD##*/}" = asan ]; then
	skip "speed" "a sanitizer build: its timings mean nothing"
else
	# CPU time decides (the machine's other work does not change it); wall
	# clock and the time to the first token are reported beside it. Each
	# of the 6 rounds starts its own server (serve-client.py speed).
	# A shared VM's host can slow one side for a while (a CI run here once
	# measured 0.797 where the same tree gave 0.99-1.02 before and after):
	# a FAIL is measured once more, and both attempts are printed.
	python3 tests/serve-client.py speed "$LLM" "$SM" "$SP" "$SN" 6 >"$tmp/speed"
	if ! grep -q '^PASS: speed' "$tmp/speed"; then
		sed 's/^FAIL: speed/first attempt: speed/' "$tmp/speed"
		python3 tests/serve-client.py speed "$LLM" "$SM" "$SP" "$SN" 6 >"$tmp/speed"
	fi
	cat "$tmp/speed"
	grep -q '^PASS: speed' "$tmp/speed" || rc=1
fi

stop && pass "llm serve exits 0 on SIGTERM" || fail "llm serve exits 0 on SIGTERM"
exit $rc
