#!/usr/bin/env python3
"""HTTP clients for t-38 (llm serve), standard library only.

  serve-client.py load HOST PORT SECONDS CLIENTS
      CLIENTS threads send completions, streamed chats and health checks for
      SECONDS; more clients than the server's connection limit, plus one
      slow client that never finishes its request. Every request must be
      answered 200 or 503 (with Retry-After), the slow one 408; prints
      PASS/FAIL lines.
  serve-client.py stream HOST PORT JSON
      POST JSON to /v1/completions with stream: prints the text, then on
      stderr the number of events, the time to the first one and the
      client-side tokens/s between the first and the last.
  serve-client.py leave HOST PORT JSON EVENTS
      stream JSON and disconnect after EVENTS events.
  serve-client.py embed HOST PORT REF NAME
      POST the prompts of REF (lines "PROMPT<TAB>values", llama.cpp's
      mean-pooled normalised embeddings) to /v1/embeddings in one request
      and compare: max |difference| <= 1e-3 and cosine >= 0.9999.
"""
import http.client
import json
import socket
import sys
import threading
import time


def sse_events(resp):
    """(arrival time, payload) of each data: event of a streamed response."""
    buf = b""
    while True:
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(1)
        if not chunk:
            return
        buf += chunk
        while b"\n\n" in buf:
            ev, buf = buf.split(b"\n\n", 1)
            for line in ev.split(b"\n"):
                if line.startswith(b"data: "):
                    yield time.monotonic(), line[6:].decode()


def post(conn, path, body):
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    return conn.getresponse()


def cmd_stream(host, port, body):
    body = json.loads(body)
    body["stream"] = True
    conn = http.client.HTTPConnection(host, port, timeout=120)
    t0 = time.monotonic()
    resp = post(conn, "/v1/completions", body)
    if resp.status != 200:
        sys.exit("status %d: %s" % (resp.status, resp.read()[:200]))
    text, times, usage = [], [], None
    for t, data in sse_events(resp):
        if data == "[DONE]":
            break
        j = json.loads(data)
        if j.get("usage"):
            usage = j["usage"]
        for c in j.get("choices", []):
            if c.get("text"):
                text.append(c["text"])
                times.append(t)
    sys.stdout.write("".join(text))
    n = usage["completion_tokens"] if usage else len(times)
    tps = (n - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0
    sys.stderr.write("events %d tokens %d first %.1f ms client_tps %.1f\n" %
                     (len(times), n, (times[0] - t0) * 1e3 if times else 0, tps))


def cmd_leave(host, port, body, events):
    body = json.loads(body)
    body["stream"] = True
    conn = http.client.HTTPConnection(host, port, timeout=60)
    resp = post(conn, "/v1/completions", body)
    n = 0
    for _, data in sse_events(resp):
        n += 1
        if n >= events:
            break
    conn.sock.shutdown(socket.SHUT_RDWR)
    conn.close()
    print("left after %d events" % n)


def cmd_embed(host, port, ref, name):
    prompts, want = [], []
    for line in open(ref, encoding="utf-8"):
        p, vals = line.rstrip("\n").split("\t")
        prompts.append(p)
        want.append([float(x) for x in vals.split()])
    conn = http.client.HTTPConnection(host, port, timeout=120)
    resp = post(conn, "/v1/embeddings", {"input": prompts})
    body = json.loads(resp.read())
    got = [d["embedding"] for d in body.get("data", [])]
    for i, p in enumerate(prompts):
        g = got[i] if i < len(got) else []
        w = want[i]
        ok = len(g) == len(w)
        diff = max((abs(a - b) for a, b in zip(g, w)), default=1)
        dot = sum(a * b for a, b in zip(g, w))
        na = sum(a * a for a in g) ** 0.5
        nb = sum(b * b for b in w) ** 0.5
        cos = dot / (na * nb) if na and nb else 0
        ok = ok and diff <= 1e-3 and cos >= 0.9999
        print("%s: embeddings-%s: '%s' equals llama.cpp's (max diff %.2g, cosine %.7f, %d dims)" %
              ("PASS" if ok else "FAIL", name, p[:24], diff, cos, len(g)))


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.bad = []

    def add(self, what, detail=None):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1
            if detail and len(self.bad) < 10:
                self.bad.append(detail)


def one_request(host, port, i, tally):
    kind = ("completion", "chat", "health")[i % 3]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        if kind == "health":
            conn.request("GET", "/health")
            resp = conn.getresponse()
            resp.read()
        elif kind == "completion":
            resp = post(conn, "/v1/completions",
                        {"prompt": "Once upon a time", "max_tokens": 48, "temperature": 0.8})
            body = resp.read()
            if resp.status == 200 and "choices" not in json.loads(body):
                tally.add("error", "200 without choices")
                return
        else:
            resp = post(conn, "/v1/chat/completions",
                        {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 24,
                         "stream": True})
            if resp.status == 200:
                last = None
                for _, data in sse_events(resp):
                    last = data
                if last != "[DONE]":
                    tally.add("error", "stream without [DONE]")
                    return
            else:
                resp.read()
        if resp.status == 200:
            tally.add("ok")
        elif resp.status == 503 and resp.getheader("Retry-After"):
            tally.add("busy")
        else:
            tally.add("error", "%s: status %d" % (kind, resp.status))
    except Exception as e:  # a reset, a timeout: the server failed this client
        tally.add("error", "%s: %r" % (kind, e))
    finally:
        conn.close()


def slow_client(host, port, result):
    s = socket.create_connection((host, port), timeout=60)
    s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    data = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except OSError:
        pass
    result.append(data.split(b"\r\n", 1)[0].decode(errors="replace"))
    s.close()


def cmd_load(host, port, seconds, clients):
    tally = Tally()
    stop = time.monotonic() + seconds

    def worker(k):
        i = k
        while time.monotonic() < stop:
            one_request(host, port, i, tally)
            i += clients

    slow = []
    st = threading.Thread(target=slow_client, args=(host, port, slow))
    st.start()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    st.join(timeout=30)
    c = tally.counts
    total = sum(c.values())
    ok, busy, err = c.get("ok", 0), c.get("busy", 0), c.get("error", 0)
    print("load: %d clients for %ds: %d requests, %d answered, %d refused with 503, %d failed" %
          (clients, seconds, total, ok, busy, err))
    for b in tally.bad:
        print("  " + b)
    verdict = "PASS" if err == 0 and ok > 0 else "FAIL"
    print("%s: load: every request answered or refused with 503 (%d/%d/%d)" % (verdict, ok, busy, err))
    line = slow[0] if slow else "(no answer)"
    print("%s: load: a client that never finishes its request gets 408 (%s)" %
          ("PASS" if "408" in line else "FAIL", line))
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", "/health")
        alive = conn.getresponse().status == 200
    except Exception:
        alive = False
    print("%s: load: the server still answers afterwards" % ("PASS" if alive else "FAIL"))


def main():
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "stream":
        cmd_stream(a[1], int(a[2]), a[3])
    elif len(a) == 5 and a[0] == "leave":
        cmd_leave(a[1], int(a[2]), a[3], int(a[4]))
    elif len(a) == 5 and a[0] == "embed":
        cmd_embed(a[1], int(a[2]), a[3], a[4])
    elif len(a) == 5 and a[0] == "load":
        cmd_load(a[1], int(a[2]), int(a[3]), int(a[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
