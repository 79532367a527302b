#!/usr/bin/env bash
# llm serve: the OpenAI-compatible HTTP API and the chat page on the host
# (net/ over POSIX sockets, bound to 127.0.0.1).
#  - unit tests: the HTTP parser (test_http), JSON (test_json), the server
#    over a mock transport (test_server, on mkmodel's chat preset and on
#    aidreams when ../shared is there)
#  - curl against every endpoint, streamed and not, with and without the
#    key; the temperature-0 text equals `llm generate`'s; hostile requests
#    get their 4xx and the server goes on
#  - the official `openai` npm client (npm install into $BUILD/npm; SKIP
#    when npm or the registry is unreachable)
#  - the chat page in headless Chromium (SKIP without chromium)
#  - embeddings equal llama.cpp's mean-pooled, normalised ones
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
		PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/$name.out")
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
# gen N: llm generate's text for PROMPT, exactly (its final newline removed)
gen() {
	local out
	out=$("$LLM" generate "$MODEL" -p "$PROMPT" --temp 0 -n "$1" -t 1 2>/dev/null; echo x)
	printf '%s' "${out%$'\n'x}"
}
# field JSONFILE EXPR: a value of a JSON file (python3 expression on j)
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2, end='')" "$1" 2>/dev/null; }

if ! start main "$MODEL" -t 1; then
	fail "serve-start" "$(head -c 300 "$tmp/main.err")"
	exit 1
fi
pass "serve-start (port $PORT, model $(basename "$MODEL"))"
MAIN_PORT=$PORT
U=http://127.0.0.1:$PORT
# ends_done FILE: the file ends with the event data: [DONE] and a blank line
ends_done() { [ "$(tail -c 14 "$1" | od -An -c | tr -d ' \n')" = 'data:[DONE]\n\n' ]; }
C=(curl -s --max-time 60)

# ---- curl: every endpoint ---------------------------------------------------------
"${C[@]}" -o "$tmp/h" -w '%{http_code}' "$U/health" >"$tmp/code"
[ "$(cat "$tmp/code")" = 200 ] && [ "$(field "$tmp/h" "j['status']")" = ok ] && pass "curl /health" ||
	fail "curl /health" "$(cat "$tmp/code") $(cat "$tmp/h")"
"${C[@]}" "$U/v1/models" >"$tmp/m"
id=$(field "$tmp/m" "j['data'][0]['id']")
[ "$id" = "$(basename "$MODEL")" ] && pass "curl /v1/models lists $id" || fail "curl /v1/models" "$(head -c 300 "$tmp/m")"
"${C[@]}" "$U/" >"$tmp/page"
grep -q '/v1/chat/completions' "$tmp/page" && ! grep -qiE '(src|href)="https?:' "$tmp/page" &&
	pass "curl / is the chat page, no external assets" || fail "curl /" "$(head -c 200 "$tmp/page")"

want=$(gen 40)
"${C[@]}" "$U/v1/completions" -d "{\"prompt\":\"$PROMPT\",\"max_tokens\":40,\"temperature\":0}" >"$tmp/c"
got=$(field "$tmp/c" "j['choices'][0]['text']"; echo x)
got=${got%x}
[ -n "$want" ] && [ "$got" = "$want" ] && pass "curl /v1/completions at temperature 0 equals llm generate" ||
	fail "curl /v1/completions equals llm generate" "got '$got', want '$want'"
[ "$(field "$tmp/c" "j['usage']['completion_tokens'] > 0 and j['object']")" = text_completion ] &&
	pass "curl /v1/completions usage and object" || fail "curl /v1/completions usage" "$(head -c 300 "$tmp/c")"

streamed=$(python3 tests/serve-client.py stream 127.0.0.1 "$PORT" \
	"{\"prompt\":\"$PROMPT\",\"max_tokens\":40,\"temperature\":0}" 2>"$tmp/sinfo"; echo x)
streamed=${streamed%x}
[ "$streamed" = "$want" ] && pass "streamed /v1/completions equals llm generate ($(cat "$tmp/sinfo"))" ||
	fail "streamed /v1/completions equals llm generate" "got '$streamed' $(cat "$tmp/sinfo")"
"${C[@]}" -N "$U/v1/completions" -d "{\"prompt\":\"$PROMPT\",\"max_tokens\":5,\"stream\":true}" >"$tmp/sse"
ends_done "$tmp/sse" && [ "$(grep -c '^data: {' "$tmp/sse")" -ge 2 ] &&
	pass "curl stream: events, then data: [DONE]" || fail "curl stream" "$(tail -c 300 "$tmp/sse")"

chat='{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Tell me a story."}],"max_tokens":24,"temperature":0}'
"${C[@]}" "$U/v1/chat/completions" -d "$chat" >"$tmp/ch"
reply=$(field "$tmp/ch" "j['choices'][0]['message']['content']"; echo x)
reply=${reply%x}
[ "$(field "$tmp/ch" "j['object'] + ' ' + j['choices'][0]['message']['role']")" = "chat.completion assistant" ] &&
	pass "curl /v1/chat/completions" || fail "curl /v1/chat/completions" "$(head -c 300 "$tmp/ch")"
"${C[@]}" -N "$U/v1/chat/completions" -d "${chat%\}},\"stream\":true}" >"$tmp/chs"
sreply=$(python3 -c '
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("data: {"):
        d = json.loads(line[6:])["choices"]
        if d and d[0]["delta"].get("content"):
            out.append(d[0]["delta"]["content"])
print("".join(out), end="")' "$tmp/chs"; echo x)
sreply=${sreply%x}
[ "$sreply" = "$reply" ] && ends_done "$tmp/chs" &&
	pass "curl chat stream equals the whole reply, ends with [DONE]" ||
	fail "curl chat stream" "'$sreply' vs '$reply'"
"${C[@]}" "$U/v1/embeddings" -d '{"input":["hello","world"]}' >"$tmp/e"
[ "$(field "$tmp/e" "len(j['data']) == 2 and abs(sum(x*x for x in j['data'][0]['embedding']) - 1) < 1e-3")" = True ] &&
	pass "curl /v1/embeddings: two unit vectors" || fail "curl /v1/embeddings" "$(head -c 300 "$tmp/e")"

# ---- hostile requests: each its 4xx, the server goes on ---------------------------
code() { "${C[@]}" -o "$tmp/x" -w '%{http_code}' "$@"; }
bad=0
expect_code() { # want, curl args...
	local want=$1 got
	shift
	got=$(code "$@")
	if [ "$got" != "$want" ]; then
		echo "  got $got, want $want: $* -> $(head -c 200 "$tmp/x")"
		bad=$((bad + 1))
	fi
}
expect_code 404 "$U/nope"
expect_code 405 -X DELETE "$U/v1/models"
expect_code 400 "$U/v1/completions" -d '{"prompt":'
expect_code 400 "$U/v1/completions" -d '{"prompt":"x","temperature":"hot"}'
expect_code 400 "$U/v1/chat/completions" -d '{"messages":"hi"}'
expect_code 400 "$U/v1/completions" -d "{\"prompt\":\"$(printf 'word %.0s' $(seq 1 3000))\"}"
head -c 5000000 /dev/zero | tr '\0' a >"$tmp/big"
expect_code 413 "$U/v1/completions" --data-binary @"$tmp/big"
expect_code 431 "$U/health" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' b)"
expect_code 200 "$U/v1/completions" -d '{"prompt":"x","max_tokens":1,"unknown_field":{"a":[1]}}'
[ $bad -eq 0 ] && pass "hostile requests: 404 405 400 400 400 400(context) 413 431, unknown fields ignored" ||
	fail "hostile requests" "$bad wrong"
printf 'GARBAGE\r\n\r\n' | timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).decode(errors="replace").split("\r\n")[0])' "$PORT" >"$tmp/raw"
grep -q "^HTTP/1.1 400" "$tmp/raw" && [ "$(code "$U/health")" = 200 ] &&
	pass "malformed HTTP: 400, the server still answers" || fail "malformed HTTP" "$(cat "$tmp/raw")"

# ---- a client that leaves stops its generation ----------------------------------------
python3 tests/serve-client.py leave 127.0.0.1 "$PORT" \
	'{"prompt":"Once","max_tokens":100000,"temperature":1.0}' 3 >/dev/null
sleep 0.5
left=$(grep 'the client left' "$tmp/main.err" | tail -1)
[ -n "$left" ] && [ "$(code "$U/health")" = 200 ] && pass "a client that leaves stops its generation (${left#* })" ||
	fail "a client that leaves stops its generation" "$(tail -3 "$tmp/main.err")"

# ---- the openai npm client --------------------------------------------------------------
NPM_DIR=${BUILD%/asan}/npm # one install for the plain and the sanitized runs
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip "openai-npm" "node or npm not installed (make deps)"
elif [ ! -d "$NPM_DIR/node_modules/openai" ] &&
	! (mkdir -p "$NPM_DIR" && cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund \
		--loglevel=error openai >"$PWD/npm.log" 2>&1); then
	skip "openai-npm" "npm install openai failed (registry unreachable?): $(tail -c 200 "$NPM_DIR/npm.log")"
else
	if start keyed "$MODEL" -t 1 --api-key "t38-key"; then
		NODE_PATH=$NPM_DIR/node_modules timeout 180 node tests/serve-openai.cjs "http://127.0.0.1:$PORT/v1" \
			t38-key "$PROMPT" 30 "$(gen 30)" || rc=1
		# curl with and without the key on the same server
		k=$(code "http://127.0.0.1:$PORT/v1/models")
		w=$(code -H "Authorization: Bearer nope" "http://127.0.0.1:$PORT/v1/models")
		r=$(code -H "Authorization: Bearer t38-key" "http://127.0.0.1:$PORT/v1/models")
		h=$(code "http://127.0.0.1:$PORT/health")
		[ "$k$w$r$h" = 401401200200 ] && pass "api key: none 401, wrong 401, right 200, /health open" ||
			fail "api key" "$k $w $r $h"
		stop || fail "keyed server exits 0 on SIGTERM"
	else
		fail "serve --api-key start" "$(head -c 300 "$tmp/keyed.err")"
	fi
fi

# ---- the chat page in headless Chromium ---------------------------------------------------
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ] || ! command -v node >/dev/null; then
	skip "chat-page" "chromium or node not installed (make deps)"
else
	timeout 180 node tests/serve-page.cjs "$CHROME" "$U/" "$(basename "$MODEL")" || rc=1
fi

# ---- embeddings equal llama.cpp's ---------------------------------------------------------------
if [ -d "$M" ]; then
	for ref in tests/data/llamacpp-ref/embed-*.txt; do
		name=$(basename "$ref" .txt)
		name=${name#embed-}
		[ -f "$M/$name.gguf" ] || continue
		if start "emb-$name" "$M/$name.gguf" -t 1; then
			python3 tests/serve-client.py embed 127.0.0.1 "$PORT" "$ref" "$name"
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
elif start speed "$SM" -t 1; then
	# CPU time decides (the machine's other work does not change it); wall
	# clock and the time to the first token are reported beside it
	python3 tests/serve-client.py speed 127.0.0.1 "$PORT" "${pids[-1]}" "$LLM" "$SM" "$SP" "$SN" 4 |
		tee "$tmp/speed"
	grep -q '^PASS: speed' "$tmp/speed" || rc=1
	stop || fail "speed server exits 0 on SIGTERM"
else
	fail "serve speed model" "$(head -c 300 "$tmp/speed.err")"
fi

stop && pass "llm serve exits 0 on SIGTERM" || fail "llm serve exits 0 on SIGTERM"
exit $rc
