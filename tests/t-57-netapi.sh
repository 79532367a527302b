#!/usr/bin/env bash
# The OpenAI-compatible API served by the OS (issue 14), checked by the same
# clients as `llm serve` in t-38: tests/api-checks.sh, run on the host from
# an osrun '!sh' step while the OS serves. One QEMU boot, 2 CPUs, a
# virtio-net card on user networking with a hostfwd from 127.0.0.1 only,
# llm.cfg api=on, api_key= (every request carries the key) and ctx=128;
# the model: aidreams from ../shared/conformance, else mkmodel's qwen2-tiny.
#  - tests/api-checks.sh: curl on every endpoint, streamed and not; the
#    temperature-0 text equals the host's `llm generate --kernels avx2` (the
#    OS's kernel level under QEMU -cpu max); hostile requests; no key / a
#    wrong key 401; embeddings equal llama.cpp's (aidreams); the openai npm
#    client whole and streamed (SKIP without npm or the registry); the chat
#    page in headless Chromium, the key typed into it (SKIP without chromium)
#  - the shell's `generate` equals the host's `llm generate --kernels avx2`
#  - speed: a streamed request against the shell's `generate` for the same
#    model, prompt and cores, alternating, shell first and last (6 generates
#    around 5 requests, none reusing another's KV cache). Under TCG on a
#    shared host the guest's clock is the host's wall clock, so its tok/s
#    (the API's timings, the shell's stats) swing with the host's other
#    work; the CPU time of QEMU's vCPU threads per request (the guest's
#    work, which sets its speed; the user network's own, in QEMU's main
#    thread, runs beside it) does not, and decides: measured by the client
#    from its request to [DONE], by osrun's '!time' from the typing of
#    `generate` to the prompt after it; tokens per CPU-second of each
#    request against the mean of the generates on either side, median of
#    the 5 ratios >= 0.95 (the same over all of QEMU's threads is
#    reported). A generation never waits for the network (its output
#    queues; the pump only polls), so the API cannot be slower than its
#    CPU time says without spinning, which that time counts. The
#    guest-clock rates and the time to the first streamed token are
#    reported.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

checks="api-boot api-clients shell-equals-host speed"
boot_ready $checks || exit 0
M=$SHARED_MODELS
if [ -f "$M/aidreams260K-f32.gguf" ]; then
	MODEL=$M/aidreams260K-f32.gguf PROMPT="Flickers of"
elif [ -x "$BUILD/host/mkmodel" ] && "$BUILD/host/mkmodel" --preset qwen2-tiny -o "$TMP/qwen2-tiny.gguf" >/dev/null 2>&1; then
	MODEL=$TMP/qwen2-tiny.gguf PROMPT="Once upon a time"
else
	for c in $checks; do skip "$c" "no model: ../shared absent and no $BUILD/host/mkmodel (make host)"; done
	exit 0
fi
if [ ! -x "$BUILD/host/llm" ]; then
	for c in $checks; do fail "$c ($BUILD/host/llm not built: make host)"; done
	exit 1
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KEY=k57-$RANDOM
U=http://127.0.0.1:$PORT
# a context of 128 (aidreams' own): every generation, the chat page's
# included (it sets no max_tokens), ends within it
printf 'api=on\napi_key=%s\nctx=128\n' "$KEY" >"$TMP/llm.cfg"
bash tests/api-checks.sh npm-install # before the boot: the registry may be slow

N=200 # more than the context holds: every run stops at the same place
GEN="generate -n $N --temp 0 $PROMPT"
BODY="{\"prompt\":\"$PROMPT\",\"max_tokens\":$N,\"temperature\":0}"
# QEMU's CPU time: osrun's '!time' around the shell's command, the client
# around its request
shell_round=("!time $GEN" stats)
api_round=("!sh LLM_API_KEY=$KEY python3 tests/serve-client.py stream 127.0.0.1 $PORT '$BODY' \$OSRUN_QEMU_PID 2>&1 >/dev/null" "")
# (`help` twice first: the screen is full, so every generate scrolls it
# alike; the first ones would be cheaper otherwise)
steps=("!sh bash tests/api-checks.sh --key $KEY --gen-args '--kernels avx2' $U '$MODEL' '$PROMPT' endpoints hostile key embed openai page" ""
	help help "${shell_round[@]}")
ROUNDS=5 # streamed requests, each between two generates
for _ in $(seq $ROUNDS); do
	steps+=("${api_round[@]}" "${shell_round[@]}")
done
osrun_log api --timeout 900 --model "$MODEL" --esp-extra "$TMP/llm.cfg=llm.cfg" \
	--qemu-arg=-netdev --qemu-arg="user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:8080" \
	--qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=n0,romfile= "${steps[@]}"

check api-boot has api "^API: serving $(basename "$MODEL") on http://10\.0\.2\.15:8080/"
# the clients' verdicts, as they said them
sed -n 's/^\[sh\] \(PASS\|FAIL\|SKIP\): /\1: /p' "$TMP/api.log"
# (each verdict counts above; this: they ran, and ended well)
check api-clients [ "$(grep -m1 '^\[sh exit ' "$TMP/api.log")" = "[sh exit 0]" ]
"$BUILD/host/llm" generate "$MODEL" -p "$PROMPT" --temp 0 -n $N --ctx 128 --kernels avx2 >"$TMP/host.txt" 2>/dev/null
shell_equals_host() { # each generate printed the host's text
	python3 - "$TMP/api.log" "$GEN" "$TMP/host.txt" $((ROUNDS + 1)) <<'PY'
import sys
log, gen = open(sys.argv[1], errors="replace").read(), sys.argv[2]
want = open(sys.argv[3]).read()
texts = [part.split("\nllm> ", 1)[0] + "\n" for part in log.split(gen + "\n")[1:]]
sys.exit(not (len(texts) == int(sys.argv[4]) and want.strip() and all(t == want for t in texts)))
PY
}
check shell-equals-host shell_equals_host

# speed: the transcript's CPU notes, the shell's stats and the client's
# stream lines, in the order they came
python3 - "$TMP/api.log" "$(basename "$MODEL")" $ROUNDS <<'PY'
import re, statistics, sys
log, model, rounds = open(sys.argv[1], errors="replace").read(), sys.argv[2], int(sys.argv[3])
shell_cpu = [(float(c) * 1e3, float(v) * 1e3) for c, v in
             re.findall(r"osrun: time: QEMU used ([\d.]+) s of CPU \(its vCPUs ([\d.]+) s\)", log)]
gen = [(int(n), float(t)) for n, t in re.findall(r"^generated: (\d+) tokens in [\d.]+ ms \(([\d.]+) tok/s\)", log, re.M)]
first = [float(t) for t in re.findall(r"^first token after ([\d.]+) ms;", log, re.M)]
api = [(int(n), float(f), float(t), (float(c) * 1e3, float(v) * 1e3)) for n, f, t, c, v in
       re.findall(r"^\[sh\] events \d+ tokens (\d+) first ([\d.]+) ms client_tps [\d.]+ "
                  r"server_tps ([\d.]+) cpu ([\d.]+) s vcpu ([\d.]+) s", log, re.M)]
if len(shell_cpu) != rounds + 1 or len(gen) != rounds + 1 or len(api) != rounds:
    print("FAIL: speed (the transcript lacks rounds: %d timed generates, %d stats, %d streams)" %
          (len(shell_cpu), len(gen), len(api)))
    sys.exit()
def median_ratio(s, a):  # each request against the mean of its neighbours
    return statistics.median((s[i] + s[i + 1]) / 2 / a[i] for i in range(rounds))
s, a = [x[1] for x in shell_cpu], [x[3][1] for x in api]
ratio = median_ratio(s, a)
whole = median_ratio([x[0] for x in shell_cpu], [x[3][0] for x in api])
clock = median_ratio([x[1] for x in gen], [x[2] for x in api])
same = all(n == gen[0][0] for n, _ in gen) and all(n == gen[0][0] for n, _, _, _ in api)
ok = same and ratio >= 0.95
print("%s: speed: streamed API >= 0.95x the shell's generate (%s, %d tokens, 2 cores; vCPU time per "
      "request: API %s ms, shell %s ms; median ratio %.3f in tokens per CPU-second (all of QEMU, the "
      "user network's work included: %.3f); guest clock: API %s tok/s, shell %s tok/s, median ratio "
      "%.3f; first streamed token after %s ms at the client, the shell's first token after %s ms)" %
      ("PASS" if ok else "FAIL", model, gen[0][0], " ".join("%.0f" % x for x in a),
       " ".join("%.0f" % x for x in s), ratio, whole, " ".join("%.1f" % x[2] for x in api),
       " ".join("%.1f" % x[1] for x in gen), clock, " ".join("%.0f" % x[1] for x in api),
       " ".join("%.0f" % x for x in first)))
if not same:
    print("# token counts differ: shell %s, API %s" % ([n for n, _ in gen], [x[0] for x in api]))
PY
