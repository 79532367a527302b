#!/usr/bin/env bash
# The API's client-side checks, written once for both servers: `llm serve`
# on the host (t-38) and the OS under QEMU through a hostfwd port (t-57,
# run there from an osrun '!sh' step). Run against a server that is up;
# prints PASS/FAIL/SKIP lines, exits 1 when a check failed.
#
#   tests/api-checks.sh [--key KEY] [--gen-args "ARGS"] URL MODEL PROMPT GROUP...
#   tests/api-checks.sh npm-install      (the openai package, before a boot)
#
# URL: the server, e.g. http://127.0.0.1:8080; MODEL: the GGUF file it
# serves (its /v1/models id is the file's name); PROMPT: the completions'
# prompt, whose text at temperature 0 must equal `$BUILD/host/llm generate
# MODEL -p PROMPT --temp 0 -n N ARGS` (--gen-args, default "-t 1"; the OS
# under QEMU runs the AVX2 kernels: "--kernels avx2"). With --key every
# request carries "Authorization: Bearer KEY". GROUPs:
#   endpoints  curl on every endpoint: /health, /v1/models, / (the page, no
#              external assets), /v1/completions whole and streamed (equal
#              to llm generate), the SSE framing, /v1/chat/completions
#              whole and streamed (the same reply), /v1/embeddings
#   hostile    404 405 400 (bad JSON, wrong types, a prompt over the
#              context) 413 431, unknown fields ignored, malformed HTTP 400
#              and the server still answers
#   key        (with --key) no key 401, a wrong one 401, the right one 200,
#              /health open
#   openai     the official `openai` npm client (tests/serve-openai.cjs;
#              SKIP without node/npm or the registry)
#   page       the chat page in headless Chromium (tests/serve-page.cjs;
#              SKIP without chromium); with --key it is typed into the page
#   embed      /v1/embeddings equal llama.cpp's for MODEL when
#              tests/data/llamacpp-ref/embed-NAME.txt has them (SKIP else)
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
LLM=$BUILD/host/llm
NPM_DIR=${BUILD%/asan}/npm # one install for the plain and the sanitized builds
rc=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; rc=1; }
skip() { echo "SKIP: $1 ($2)"; }

# npm_ready: the openai package is in $NPM_DIR (installed now if need be);
# else prints the SKIP and fails
npm_ready() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		skip "openai-npm" "node or npm not installed (make deps)"
		return 1
	fi
	[ -d "$NPM_DIR/node_modules/openai" ] && return 0
	if ! (mkdir -p "$NPM_DIR" && cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund \
		--loglevel=error openai >npm.log 2>&1); then
		skip "openai-npm" "npm install openai failed (registry unreachable?): $(tail -c 200 "$NPM_DIR/npm.log")"
		return 1
	fi
}
if [ "$1" = npm-install ]; then
	npm_ready >/dev/null
	exit 0
fi

KEY= GEN_ARGS="-t 1"
while [ $# -gt 0 ]; do
	case $1 in
	--key) KEY=$2; shift 2 ;;
	--gen-args) GEN_ARGS=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 4 ]; then
	sed -n '2,/^cd /p' "$0" | sed '$d;s/^# \{0,1\}//' >&2
	exit 2
fi
U=${1%/} MODEL=$2 PROMPT=$3
shift 3
HOSTPORT=${U#http://}
HOST=${HOSTPORT%:*} PORT=${HOSTPORT##*:}
ID=$(basename "$MODEL")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LLM_API_KEY=$KEY # for tests/serve-client.py
C=(curl -s --max-time 60)
[ -n "$KEY" ] && C+=(-H "Authorization: Bearer $KEY")

# gen N: llm generate's text for PROMPT, exactly (its final newline removed)
gen() {
	local out
	# shellcheck disable=SC2086 # GEN_ARGS: words
	out=$("$LLM" generate "$MODEL" -p "$PROMPT" --temp 0 -n "$1" $GEN_ARGS 2>/dev/null; echo x)
	printf '%s' "${out%$'\n'x}"
}
# field JSONFILE EXPR: a value of a JSON file (python3 expression on j)
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2, end='')" "$1" 2>/dev/null; }
# ends_done FILE: the file ends with the event data: [DONE] and a blank line
ends_done() { [ "$(tail -c 14 "$1" | od -An -c | tr -d ' \n')" = 'data:[DONE]\n\n' ]; }
# code CURL-ARGS...: the status of a request (its body in $tmp/x)
code() { "${C[@]}" -o "$tmp/x" -w '%{http_code}' "$@"; }

endpoints() {
	"${C[@]}" -o "$tmp/h" -w '%{http_code}' "$U/health" >"$tmp/code"
	[ "$(cat "$tmp/code")" = 200 ] && [ "$(field "$tmp/h" "j['status']")" = ok ] && pass "curl /health" ||
		fail "curl /health" "$(cat "$tmp/code") $(cat "$tmp/h")"
	"${C[@]}" "$U/v1/models" >"$tmp/m"
	local id
	id=$(field "$tmp/m" "j['data'][0]['id']")
	[ "$id" = "$ID" ] && pass "curl /v1/models lists $id" || fail "curl /v1/models" "$(head -c 300 "$tmp/m")"
	"${C[@]}" "$U/" >"$tmp/page"
	grep -q '/v1/chat/completions' "$tmp/page" && ! grep -qiE '(src|href)="https?:' "$tmp/page" &&
		pass "curl / is the chat page, no external assets" || fail "curl /" "$(head -c 200 "$tmp/page")"

	local want got streamed reply sreply
	want=$(gen 40)
	"${C[@]}" "$U/v1/completions" -d "{\"prompt\":\"$PROMPT\",\"max_tokens\":40,\"temperature\":0}" >"$tmp/c"
	got=$(field "$tmp/c" "j['choices'][0]['text']"; echo x)
	got=${got%x}
	[ -n "$want" ] && [ "$got" = "$want" ] && pass "curl /v1/completions at temperature 0 equals llm generate" ||
		fail "curl /v1/completions equals llm generate" "got '$got', want '$want'"
	[ "$(field "$tmp/c" "j['usage']['completion_tokens'] > 0 and j['object']")" = text_completion ] &&
		pass "curl /v1/completions usage and object" || fail "curl /v1/completions usage" "$(head -c 300 "$tmp/c")"

	streamed=$(python3 tests/serve-client.py stream "$HOST" "$PORT" \
		"{\"prompt\":\"$PROMPT\",\"max_tokens\":40,\"temperature\":0}" 2>"$tmp/sinfo"; echo x)
	streamed=${streamed%x}
	[ "$streamed" = "$want" ] && pass "streamed /v1/completions equals llm generate ($(cat "$tmp/sinfo"))" ||
		fail "streamed /v1/completions equals llm generate" "got '$streamed' $(cat "$tmp/sinfo")"
	"${C[@]}" -N "$U/v1/completions" -d "{\"prompt\":\"$PROMPT\",\"max_tokens\":5,\"stream\":true}" >"$tmp/sse"
	ends_done "$tmp/sse" && [ "$(grep -c '^data: {' "$tmp/sse")" -ge 2 ] &&
		pass "curl stream: events, then data: [DONE]" || fail "curl stream" "$(tail -c 300 "$tmp/sse")"

	local chat='{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Tell me a story."}],"max_tokens":24,"temperature":0}'
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
}

hostile() {
	local bad=0
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
	printf 'GARBAGE\r\n\r\n' | timeout 30 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).decode(errors="replace").split("\r\n")[0])' "$HOST" "$PORT" >"$tmp/raw"
	grep -q "^HTTP/1.1 400" "$tmp/raw" && [ "$(code "$U/health")" = 200 ] &&
		pass "malformed HTTP: 400, the server still answers" || fail "malformed HTTP" "$(cat "$tmp/raw")"
}

key() {
	if [ -z "$KEY" ]; then
		fail "api key" "the key group needs --key"
		return
	fi
	local cc=(curl -s --max-time 60 -o /dev/null -w '%{http_code}') k w r h
	k=$("${cc[@]}" "$U/v1/models")
	w=$("${cc[@]}" -H "Authorization: Bearer nope" "$U/v1/models")
	r=$("${cc[@]}" -H "Authorization: Bearer $KEY" "$U/v1/models")
	h=$("${cc[@]}" "$U/health")
	[ "$k$w$r$h" = 401401200200 ] && pass "api key: none 401, wrong 401, right 200, /health open" ||
		fail "api key" "$k $w $r $h"
}

openai() {
	npm_ready || return
	NODE_PATH=$NPM_DIR/node_modules timeout 180 node tests/serve-openai.cjs "$U/v1" "${KEY:--}" \
		"$PROMPT" 30 "$(gen 30)" || rc=1
}

page() {
	local chrome
	chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
	if [ -z "$chrome" ] || ! command -v node >/dev/null; then
		skip "chat-page" "chromium or node not installed (make deps)"
		return
	fi
	timeout 180 node tests/serve-page.cjs "$chrome" "$U/" "$ID" "$KEY" || rc=1
}

embed() {
	local ref=tests/data/llamacpp-ref/embed-${ID%.gguf}.txt
	if [ ! -f "$ref" ]; then
		skip "embeddings vs llama.cpp" "no reference for $ID"
		return
	fi
	python3 tests/serve-client.py embed "$HOST" "$PORT" "$ref" "${ID%.gguf}" | tee "$tmp/emb"
	grep -q '^FAIL' "$tmp/emb" && rc=1
	grep -q '^PASS' "$tmp/emb" || fail "embeddings-${ID%.gguf}" "no answer"
}

for g in "$@"; do
	case $g in
	endpoints | hostile | key | openai | page | embed) "$g" ;;
	*) fail "api-checks" "unknown group '$g'" ;;
	esac
done
exit $rc
