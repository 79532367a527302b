// The chat page in headless Chromium (tests/api-checks.sh, for t-38 and
// t-57): it loads, shows the model's name, and a question typed into it
// streams an answer (the reply is updated more than once and ends without
// an error). With KEY the server wants one: the page first says the key is
// missing, then the key typed into its field brings the model's name.
// Drives the browser over the DevTools protocol on a pipe
// (--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so nothing
// beyond node is needed.
//
//   node tests/serve-page.cjs CHROMIUM URL MODEL_ID [KEY]
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [chrome, url, modelId, key] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "llm-page-"));
const proc = spawn(chrome, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-dev-shm-usage", "--remote-debugging-pipe",
                            "--user-data-dir=" + profile, "about:blank"],
                   { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
let stderr = "";
proc.stdio[2].on("data", d => { stderr += d; });

let nextId = 1, buf = "";
const waiting = new Map();
proc.stdio[4].on("data", d => {
  buf += d.toString();
  let i;
  while ((i = buf.indexOf("\0")) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    const w = msg.id && waiting.get(msg.id);
    if (w) {
      waiting.delete(msg.id);
      msg.error ? w.reject(new Error(JSON.stringify(msg.error))) : w.resolve(msg.result);
    }
  }
});

function send(method, params, sessionId) {
  const id = nextId++;
  const msg = { id, method, params: params || {} };
  if (sessionId) msg.sessionId = sessionId;
  proc.stdio[3].write(JSON.stringify(msg) + "\0");
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
let fails = 0;
function check(ok, name, detail) {
  console.log((ok ? "PASS: " : "FAIL: ") + "chat-page: " + name + (ok || !detail ? "" : " (" + detail + ")"));
  if (!ok) fails++;
}

async function main() {
  const { targetId } = await send("Target.createTarget", { url });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const evaluate = async expr => {
    const r = await send("Runtime.evaluate", { expression: expr, returnByValue: true }, sessionId);
    return r.result.value;
  };
  const until = async (expr, ms) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
      const v = await evaluate(expr);
      if (v) return v;
    }
    return null;
  };
  const modelText = "document.readyState === 'complete' && document.getElementById('input') && " +
                    "document.getElementById('model').textContent !== '...' && " +
                    "document.getElementById('model').textContent";
  if (key) {
    const refused = await until(modelText, 30000);
    check(/key/i.test(String(refused)), "without the key the page says so", String(refused));
    await evaluate("(() => { const k = document.getElementById('key'); k.value = " + JSON.stringify(key) +
                   "; k.dispatchEvent(new Event('change')); return true })()");
  }
  const model = await until(modelText + " === " + JSON.stringify(modelId) + " && " + modelText, 30000) ||
                await evaluate(modelText);
  check(model === modelId, "the page loads and names the model", String(model));
  await evaluate("document.getElementById('input').value = 'Tell me a story.';" +
                 "document.getElementById('form').requestSubmit(); true");
  const seen = new Set();
  const state = () => evaluate("(() => { const a = document.querySelector('.msg.assistant');" +
                               " const e = document.querySelector('.msg.error');" +
                               " return a ? { done: a.dataset.done === '1', chunks: +(a.dataset.chunks || 0)," +
                               " text: a.textContent, error: e ? e.textContent : null," +
                               " meta: (document.querySelector('.meta') || {}).textContent || '' } : null })()");
  let s = null;
  for (const end = Date.now() + 60000; Date.now() < end; await sleep(20)) {
    s = await state();
    if (s) seen.add(s.text.length);
    if (s && s.done) break;
  }
  check(s && s.done && !s.error && s.text.length > 0, "a question typed into it gets an answer",
        JSON.stringify(s));
  check(s && s.chunks > 1, "the answer streamed in " + (s ? s.chunks : 0) + " pieces (" +
        seen.size + " lengths seen while it grew)", JSON.stringify(s));
  check(s && /tok\/s/.test(s.meta), "the page shows the speed: " + (s ? s.meta : ""));
  const user = await evaluate("document.querySelector('.msg.user').textContent");
  check(user === "Tell me a story.", "the question is shown", String(user));
}

// Close the browser, wait for it to go (its profile is written until
// then), remove the profile, exit.
function finish(code) {
  const done = () => {
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* best effort */ }
    process.exit(code);
  };
  if (proc.exitCode !== null || proc.signalCode !== null) return done();
  proc.on("exit", done);
  send("Browser.close").catch(() => {});
  setTimeout(() => proc.kill("SIGKILL"), 5000);
}

const timer = setTimeout(() => {
  console.log("FAIL: chat-page: timed out\n" + stderr.slice(-2000));
  finish(1);
}, 120000);
main().then(() => {
  clearTimeout(timer);
  finish(fails ? 1 : 0);
}, e => {
  clearTimeout(timer);
  console.log("FAIL: chat-page: " + (e && e.stack || e) + "\n" + stderr.slice(-2000));
  finish(1);
});
