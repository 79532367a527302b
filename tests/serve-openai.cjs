// The official `openai` npm client against `llm serve` (t-38): models,
// completions and chat, whole and streamed, embeddings (the client asks for
// base64 and decodes it), and a wrong key refused. Prints PASS/FAIL lines.
//
//   NODE_PATH=.../node_modules node tests/serve-openai.cjs BASE_URL KEY PROMPT N EXPECTED
//
// EXPECTED: the text `llm generate -p PROMPT -n N --temp 0` printed (the
// API's temperature-0 text must equal it); KEY "-" for a server without one.
"use strict";
const OpenAI = require("openai");

const [base, key, prompt, nTok, expected] = process.argv.slice(2);
let fails = 0;
function check(ok, name, detail) {
  console.log((ok ? "PASS: " : "FAIL: ") + "openai-npm: " + name + (ok || !detail ? "" : " (" + detail + ")"));
  if (!ok) fails++;
}

async function main() {
  const client = new OpenAI({ baseURL: base, apiKey: key === "-" ? "none" : key, maxRetries: 0, timeout: 60000 });
  const n = parseInt(nTok, 10);

  const models = await client.models.list();
  const id = models.data[0] && models.data[0].id;
  check(typeof id === "string" && id.length > 0, "models.list", JSON.stringify(models.data));

  const c = await client.completions.create({ model: id, prompt, max_tokens: n, temperature: 0 });
  check(c.choices[0].text === expected && c.usage.completion_tokens > 0,
        "completions.create at temperature 0 equals llm generate",
        JSON.stringify(c.choices[0].text) + " vs " + JSON.stringify(expected));

  let streamed = "", events = 0;
  const cs = await client.completions.create({ model: id, prompt, max_tokens: n, temperature: 0, stream: true });
  for await (const ev of cs) {
    if (ev.choices[0] && ev.choices[0].text) { streamed += ev.choices[0].text; events++; }
  }
  check(streamed === expected && events > 1, "completions stream (" + events + " events) equals llm generate",
        JSON.stringify(streamed));

  const msgs = [{ role: "system", content: "You are terse." }, { role: "user", content: "Tell me a story." }];
  const chat = await client.chat.completions.create({ model: id, messages: msgs, max_tokens: 24, temperature: 0 });
  const reply = chat.choices[0].message.content;
  check(chat.object === "chat.completion" && chat.choices[0].message.role === "assistant" &&
        typeof reply === "string" && ["stop", "length"].includes(chat.choices[0].finish_reason),
        "chat.completions.create", JSON.stringify(chat));

  let sreply = "", sevents = 0, usage = null;
  const st = await client.chat.completions.create({ model: id, messages: msgs, max_tokens: 24, temperature: 0,
                                                    stream: true, stream_options: { include_usage: true } });
  for await (const ch of st) {
    if (ch.usage) usage = ch.usage;
    const d = ch.choices[0] && ch.choices[0].delta;
    if (d && d.content) { sreply += d.content; sevents++; }
  }
  check(sreply === reply && usage && usage.completion_tokens === chat.usage.completion_tokens,
        "chat stream (" + sevents + " events) equals the whole reply, usage chunk",
        JSON.stringify(sreply) + " vs " + JSON.stringify(reply));

  const emb = await client.embeddings.create({ model: id, input: ["Hello world", "Goodbye"] });
  const v = emb.data[0].embedding;
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  check(emb.data.length === 2 && v.length > 0 && Math.abs(norm - 1) < 1e-3,
        "embeddings.create (" + v.length + " dimensions, norm " + norm.toFixed(4) + ")");

  try {
    await client.completions.create({ model: id, prompt: "x".repeat(1), max_tokens: 1, top_k: "x" });
    check(false, "a bad parameter is refused with 400");
  } catch (e) {
    check(e.status === 400 && e instanceof OpenAI.BadRequestError, "a bad parameter is refused with 400",
          String(e));
  }
  if (key !== "-") {
    const bad = new OpenAI({ baseURL: base, apiKey: key + "x", maxRetries: 0 });
    try {
      await bad.models.list();
      check(false, "a wrong key is refused");
    } catch (e) {
      check(e.status === 401 && e instanceof OpenAI.AuthenticationError, "a wrong key is refused with 401",
            String(e));
    }
  }
}

main().then(() => process.exit(fails ? 1 : 0), e => {
  console.log("FAIL: openai-npm: " + String(e && e.stack || e));
  process.exit(1);
});
