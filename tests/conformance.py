#!/usr/bin/env python3
"""Conformance of `llm` against llama.cpp's reference logits.

For every MODELS_DIR/NAME.ref (format in ../shared/conformance/README.md):
  1. `llm tokenize NAME.gguf` of the prompt must equal prompt_tokens;
  2. `llm eval` teacher-forces prompt_tokens + greedy_tokens one position at a
     time; at every step the logits of the listed ids must lie within the
     tolerance of the model's type, and our argmax must be the reference's
     unless its top two are closer than the tolerance;
  3. the same with `--batch len(prompt_tokens)`: the prompt evaluated as one
     batch, the continuation one token at a time.
Prints one line per model and check: PASS/FAIL/SKIP: conformance[-batch] NAME.
Exit status 0 when nothing failed.
"""
import argparse
import os
import subprocess
import sys


def parse_ref(path):
    ref = {"steps": []}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            key, _, rest = line.partition(" ")
            if key == "step":
                k, _, pairs = rest.partition(" top5 ")
                top = []
                for p in pairs.split():
                    i, _, v = p.partition(":")
                    top.append((int(i), float(v)))
                ref["steps"].append((int(k), top))
            elif key in ("prompt_tokens", "greedy_tokens"):
                ref[key] = [int(x) for x in rest.split()]
            else:
                ref[key] = rest
    return ref


def tolerance(kind, hi, lo):
    if kind == "f32":
        return 5e-3 + 5e-4 * abs(hi)
    if kind in ("f16", "bf16", "q8_0"):
        return 2e-2 + 2e-3 * abs(hi)
    return 0.05 * max(hi - lo, 1.0) + 0.02 * abs(hi)


def model_kind(name):
    return name.rsplit("-", 1)[-1].lower()


def run(cmd, stdin=None, timeout=300):
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def parse_eval(out):
    """{pos: {id: logit}} from `llm eval` lines 'pos P topK ID:LOGIT ...'."""
    res = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) < 3 or f[0] != "pos":
            continue
        d = {}
        for p in f[3:]:
            i, _, v = p.partition(":")
            d[int(i)] = float(v)
        res[int(f[1])] = d
    return res


def compare(ref, kind, got, n_prompt, exact=False):
    """Returns (ok, max_err, message). exact: the logits must print as the
    reference's (%.5f both sides: the same float up to the last digit)."""
    worst = 0.0
    for k, top in ref["steps"]:
        pos = n_prompt - 1 + k
        if pos not in got:
            return False, worst, "no output for position %d (step %d)" % (pos, k)
        ours = got[pos]
        hi, lo = top[0][1], top[-1][1]
        tol = 1.01e-5 if exact else tolerance(kind, hi, lo)
        for i, v in top:
            if i not in ours:
                return False, worst, "step %d: id %d (ref %.5f) not in our top list" % (k, i, v)
            err = abs(ours[i] - v)
            worst = max(worst, err / tol)
            if err > tol:
                return False, worst, "step %d: id %d logit %.5f, ref %.5f, |diff| %.5f > tol %.5f" % (
                    k, i, ours[i], v, err, tol)
        best = max(ours.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        if best != top[0][0] and abs(top[0][1] - top[1][1]) >= tol:
            return False, worst, "step %d: our argmax %d, reference %d" % (k, best, top[0][0])
    return True, worst, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models_dir")
    ap.add_argument("--llm", default=os.environ.get("LLM", "build/host/llm"))
    ap.add_argument("--extra", default="", help="extra llm options, e.g. '--kernels avx2 -t 1'")
    ap.add_argument("--only", default="", help="substring of model names to run")
    ap.add_argument("--exact", action="store_true",
                    help="logits must equal the reference's to its printed digits")
    args = ap.parse_args()
    extra = args.extra.split()
    refs = sorted(f for f in os.listdir(args.models_dir) if f.endswith(".ref"))
    failed = 0
    for r in refs:
        name = r[:-4]
        if args.only and args.only not in name:
            continue
        ref = parse_ref(os.path.join(args.models_dir, r))
        gguf = os.path.join(args.models_dir, name + ".gguf")
        kind = model_kind(name)
        if not os.path.exists(gguf):
            print("SKIP: conformance %s (no %s)" % (name, gguf))
            continue
        prompt = ref["prompt_tokens"]
        rc, out, err = run([args.llm, "tokenize", gguf] + extra, stdin=ref["prompt"].encode("utf-8", "surrogateescape"))
        toks = [int(x) for x in out.split()] if rc == 0 else None
        if toks != prompt:
            print("FAIL: conformance %s (tokenize gave %s, expected %s%s)" % (
                name, out.strip() if rc == 0 else "error", " ".join(map(str, prompt)),
                (": " + err.strip()) if rc else ""))
            failed += 1
            continue
        feed = prompt + ref["greedy_tokens"][:len(ref["steps"]) - 1]
        ids = " ".join(map(str, feed))
        for label, opts in (("conformance", []), ("conformance-batch", ["--batch", str(len(prompt))])):
            rc, out, err = run([args.llm, "eval", gguf, "--tokens", ids, "--top", "64"] + opts + extra)
            if rc != 0:
                print("FAIL: %s %s (llm eval exit %d: %s)" % (label, name, rc, err.strip()))
                failed += 1
                continue
            ok, worst, msg = compare(ref, kind, parse_eval(out), len(prompt), args.exact)
            if ok:
                print("PASS: %s %s (%d steps, worst error %.3f of tolerance)" % (
                    label, name, len(ref["steps"]), worst))
            else:
                print("FAIL: %s %s (%s)" % (label, name, msg))
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
