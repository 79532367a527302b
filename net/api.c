/* api: routing, the key check, the endpoints that answer at once, and the
 * request bodies of the ones that run on the engine turned into jobs. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/genopt.h"
#include "net/http_impl.h"
#include "net/json.h"
#include "net/page.h"

/* ---- reading fields --------------------------------------------------------- */

struct req {
	struct http_server *s;
	struct http_conn *c;
	struct json_doc d;
	const struct json *root;
	bool failed; /* an error response went out */
};

static void bad(struct req *q, const char *param, const char *fmt, const char *what)
{
	if (q->failed)
		return;
	q->failed = true;
	conn_error(q->c, 400, param, NULL, fmt, what);
}

/* The field key if present and not null; wrong types are answered with 400. */
static const struct json *field(struct req *q, const char *key, enum json_type want)
{
	const struct json *v = json_get(&q->d, q->root, key);
	if (!v || v->type == JSON_NULL || q->failed)
		return NULL;
	bool ok = v->type == want || (want == JSON_TRUE && v->type == JSON_FALSE);
	if (!ok) {
		char msg[96];
		snprintf(msg, sizeof msg, "'%s' must be %s %s", key,
			 want == JSON_ARRAY || want == JSON_OBJECT ? "an" : "a",
			 want == JSON_TRUE ? "boolean" : json_type_name(want));
		bad(q, key, "%s", msg);
		return NULL;
	}
	return v;
}

static void get_bool(struct req *q, const char *key, bool *out)
{
	const struct json *v = field(q, key, JSON_TRUE);
	if (v)
		*out = v->type == JSON_TRUE;
}

static void get_int(struct req *q, const char *key, double lo, double hi, long long *out)
{
	const struct json *v = field(q, key, JSON_NUMBER);
	if (!v)
		return;
	if (!(v->num >= lo && v->num <= hi) || v->num != (double)(long long)v->num) {
		char msg[96];
		snprintf(msg, sizeof msg, "'%s' must be an integer between %.0f and %.0f", key, lo, hi);
		bad(q, key, "%s", msg);
		return;
	}
	*out = (long long)v->num;
}

/* ---- the sampling fields, common to completions and chat ---------------------- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A number for option o under the JSON name `name`, into v (range errors
 * say so in genopt's words). True when the field was there. */
static bool option(struct req *q, const struct genopt *o, const char *name, struct genopt_values *v)
{
	const struct json *f = field(q, name, JSON_NUMBER);
	char err[160];
	if (!f)
		return false;
	if (genopt_set_number(o, name, f->num, v, err, sizeof err) != 0)
		bad(q, name, "%s", err);
	return true;
}

/* The sampling options (ai/genopt.h's table under their JSON names, and
 * OpenAI's max_tokens / max_completion_tokens for n_predict). */
static void sampling(struct req *q, struct job *j, bool chat)
{
	struct genopt_values v;
	sampler_defaults(&v.sp);
	v.n_predict = chat ? -1 : 16; /* OpenAI's completions default to 16 tokens */
	bool seeded = false;
	for (int i = 0; genopt_at(i); i++) {
		const struct genopt *o = genopt_at(i);
		const struct json *f = json_get(&q->d, q->root, o->json);
		if (o->offset == offsetof(struct genopt_values, sp.seed) && f &&
		    f->type == JSON_NUMBER && f->num < 0)
			continue; /* a negative seed asks for a fresh one, as llama.cpp */
		bool set = option(q, o, o->json, &v);
		seeded |= set && o->offset == offsetof(struct genopt_values, sp.seed);
	}
	const struct genopt *n = genopt_find("n_predict");
	option(q, n, "max_tokens", &v);
	option(q, n, "max_completion_tokens", &v);
	if (!seeded)
		v.sp.seed = mix64(srv_now(q->s) ^ mix64(j->id));
	j->sp = v.sp;
	j->max_tokens = v.n_predict;
	long long n_choices = 1;
	get_int(q, "n", 1, 1, &n_choices);
	get_bool(q, "stream", &j->stream);
	const struct json *so = field(q, "stream_options", JSON_OBJECT);
	const struct json *iu = so ? json_get(&q->d, so, "include_usage") : NULL;
	if (iu && (iu->type == JSON_TRUE || iu->type == JSON_FALSE))
		j->include_usage = iu->type == JSON_TRUE;

	const struct json *stop = json_get(&q->d, q->root, "stop");
	if (!stop || stop->type == JSON_NULL || q->failed)
		return;
	const struct json *one = stop->type == JSON_STRING ? stop : json_first(&q->d, stop);
	if (stop->type != JSON_STRING && stop->type != JSON_ARRAY) {
		bad(q, "stop", "%s", "'stop' must be a string or an array of strings");
		return;
	}
	for (; one; one = stop->type == JSON_STRING ? NULL : json_next(&q->d, one)) {
		if (one->type != JSON_STRING || one->n < 1 || one->n > HTTP_STOP_LEN ||
		    strlen(one->str) != (size_t)one->n) {
			bad(q, "stop", "stop strings must be strings of 1 to %s bytes", "64");
			return;
		}
		if (j->n_stop == HTTP_MAX_STOP) {
			bad(q, "stop", "at most %s stop strings", "8");
			return;
		}
		memcpy(j->stop[j->n_stop++], one->str, (size_t)one->n + 1);
	}
}

/* ---- bodies into jobs ---------------------------------------------------------- */

static struct job *new_job(struct req *q, enum job_kind k)
{
	struct job *j = calloc(1, sizeof *j);
	if (!j) {
		q->failed = true;
		conn_error(q->c, 500, NULL, NULL, "out of memory");
		return NULL;
	}
	j->kind = k;
	j->c = q->c;
	j->id = ++q->s->n_jobs;
	return j;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->text);
	for (int i = 0; i < j->n_inputs; i++)
		free(j->inputs[i]);
	free(j);
}

static char *copy(const char *p, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, p, n);
		d[n] = 0;
	}
	return d;
}

/* A string, or an array of one string (what OpenAI clients send). */
static const struct json *one_text(struct req *q, const char *key)
{
	const struct json *v = json_get(&q->d, q->root, key);
	if (v && v->type == JSON_ARRAY && v->n == 1 && json_first(&q->d, v)->type == JSON_STRING)
		return json_first(&q->d, v);
	if (v && v->type == JSON_STRING)
		return v;
	if (v && v->type == JSON_ARRAY && v->n > 1)
		bad(q, key, "'%s' with more than one prompt is not supported", key);
	else
		bad(q, key, "'%s' is required and must be a string", key);
	return NULL;
}

static struct job *completion(struct req *q)
{
	const struct json *p = one_text(q, "prompt");
	if (!p)
		return NULL;
	struct job *j = new_job(q, JOB_COMPLETION);
	if (!j)
		return NULL;
	sampling(q, j, false);
	j->text = copy(p->str, (size_t)p->n);
	j->text_len = (size_t)p->n;
	return j;
}

/* A message's content: a string, or an array of {"type":"text","text":...}
 * parts, joined. */
static char *content(struct req *q, const struct json *m)
{
	const struct json *v = json_get(&q->d, m, "content");
	if (!v || v->type == JSON_NULL)
		return copy("", 0);
	if (v->type == JSON_STRING)
		return copy(v->str, strlen(v->str));
	if (v->type != JSON_ARRAY) {
		bad(q, "messages", "%s", "a message's content must be a string or an array of parts");
		return NULL;
	}
	size_t n = 0;
	for (const struct json *part = json_first(&q->d, v); part; part = json_next(&q->d, part)) {
		const struct json *t = json_get(&q->d, part, "type");
		const struct json *x = json_get(&q->d, part, "text");
		if (!t || t->type != JSON_STRING || strcmp(t->str, "text") || !x ||
		    x->type != JSON_STRING) {
			bad(q, "messages", "%s", "only text content parts are supported");
			return NULL;
		}
		n += strlen(x->str);
	}
	char *s = malloc(n + 1), *o = s;
	for (const struct json *part = json_first(&q->d, v); s && part; part = json_next(&q->d, part)) {
		const char *x = json_get(&q->d, part, "text")->str;
		memcpy(o, x, strlen(x));
		o += strlen(x);
	}
	if (s)
		*o = 0;
	return s;
}

static struct job *chat(struct req *q)
{
	const struct json *ms = field(q, "messages", JSON_ARRAY);
	if (!ms || ms->n == 0) {
		bad(q, "messages", "%s", "'messages' must be a non-empty array");
		return NULL;
	}
	struct job *j = new_job(q, JOB_CHAT);
	if (!j)
		return NULL;
	sampling(q, j, true);
	int n = 0, cap = ms->n + 1;
	struct chat_msg *msgs = calloc((size_t)cap, sizeof *msgs);
	char **texts = calloc((size_t)cap, sizeof *texts);
	size_t total = 0;
	if (!msgs || !texts)
		goto oom;
	const struct json *first_role = json_get(&q->d, json_first(&q->d, ms), "role");
	if (q->s->system && !(first_role && first_role->type == JSON_STRING &&
			      (!strcmp(first_role->str, "system") || !strcmp(first_role->str, "developer")))) {
		msgs[n++] = (struct chat_msg){ "system", q->s->system };
		total += strlen(q->s->system);
	}
	for (const struct json *m = json_first(&q->d, ms); m && !q->failed; m = json_next(&q->d, m)) {
		const struct json *role = json_get(&q->d, m, "role");
		const char *r = role && role->type == JSON_STRING ? role->str : "";
		if (!strcmp(r, "developer"))
			r = "system";
		if (strcmp(r, "system") && strcmp(r, "user") && strcmp(r, "assistant")) {
			bad(q, "messages", "unsupported message role '%.40s' (system, user, assistant)", r);
			break;
		}
		char *t = content(q, m);
		if (!t) {
			if (!q->failed)
				goto oom;
			break;
		}
		texts[n] = t;
		total += strlen(t);
		msgs[n++] = (struct chat_msg){ r, t };
	}
	if (!q->failed) {
		size_t len = total + 128 * (size_t)n + 1024;
		j->text = malloc(len);
		int k = j->text ? chat_render(q->s->e.chat, 0, msgs, n, true, j->text, len) : -1;
		if (k < 0)
			goto oom;
		j->text_len = (size_t)k;
	}
	for (int i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(msgs);
	if (q->failed) {
		job_free(j);
		return NULL;
	}
	return j;
oom:
	for (int i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	free(msgs);
	job_free(j);
	q->failed = true;
	conn_error(q->c, 500, NULL, NULL, "out of memory");
	return NULL;
}

static struct job *embeddings(struct req *q)
{
	const struct json *in = json_get(&q->d, q->root, "input");
	if (!in || (in->type != JSON_STRING && in->type != JSON_ARRAY) ||
	    (in->type == JSON_ARRAY && in->n == 0)) {
		bad(q, "input", "%s", "'input' must be a string or a non-empty array of strings");
		return NULL;
	}
	if (in->type == JSON_ARRAY && in->n > HTTP_MAX_INPUTS) {
		bad(q, "input", "at most %s inputs per request", "64");
		return NULL;
	}
	const struct json *fmt = field(q, "encoding_format", JSON_STRING);
	if (fmt && strcmp(fmt->str, "float") && strcmp(fmt->str, "base64"))
		bad(q, "encoding_format", "%s", "'encoding_format' must be \"float\" or \"base64\"");
	if (q->failed)
		return NULL;
	struct job *j = new_job(q, JOB_EMBED);
	if (!j)
		return NULL;
	j->base64 = fmt && !strcmp(fmt->str, "base64");
	const struct json *one = in->type == JSON_STRING ? in : json_first(&q->d, in);
	for (; one; one = in->type == JSON_STRING ? NULL : json_next(&q->d, one)) {
		if (one->type != JSON_STRING) {
			bad(q, "input", "%s", "'input' must be a string or an array of strings");
			job_free(j);
			return NULL;
		}
		if (!(j->inputs[j->n_inputs] = copy(one->str, (size_t)one->n))) {
			job_free(j);
			q->failed = true;
			conn_error(q->c, 500, NULL, NULL, "out of memory");
			return NULL;
		}
		j->n_inputs++;
	}
	return j;
}

/* ---- the endpoints that answer at once ------------------------------------------ */

static void send_json(struct http_conn *c, struct jw *w)
{
	if (w->oom)
		conn_error(c, 500, NULL, NULL, "out of memory");
	else
		conn_respond(c, 200, "application/json", NULL, w->p, w->n);
	jw_free(w);
}

static void model_obj(struct http_server *s, struct jw *w)
{
	const struct model *m = forward_model(s->e.f);
	jw_obj(w);
	jw_key(w, "id");
	jw_cstr(w, s->model_id);
	jw_key(w, "object");
	jw_cstr(w, "model");
	jw_key(w, "created");
	jw_int(w, 0);
	jw_key(w, "owned_by");
	jw_cstr(w, "llm");
	jw_key(w, "meta");
	jw_obj(w);
	jw_key(w, "n_ctx");
	jw_int(w, forward_n_ctx(s->e.f));
	jw_key(w, "n_ctx_train");
	jw_int(w, m->n_ctx_train);
	jw_key(w, "n_vocab");
	jw_int(w, m->n_vocab);
	jw_key(w, "n_embd");
	jw_int(w, m->n_embd);
	jw_key(w, "chat_template");
	jw_cstr(w, chat_kind_name(s->e.chat));
	jw_end(w);
	jw_end(w);
}

static void models(struct http_server *s, struct http_conn *c, const char *id)
{
	struct jw w;
	jw_init(&w);
	if (id) {
		if (strcmp(id, s->model_id)) {
			conn_error(c, 404, "model", "model_not_found", "no model '%.100s'", id);
			return;
		}
		model_obj(s, &w);
	} else {
		jw_obj(&w);
		jw_key(&w, "object");
		jw_cstr(&w, "list");
		jw_key(&w, "data");
		jw_arr(&w);
		model_obj(s, &w);
		jw_end(&w);
		jw_end(&w);
	}
	send_json(c, &w);
}

static void health(struct http_conn *c)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	conn_respond(c, 200, "application/json", NULL, ok, sizeof ok - 1);
}

/* ---- routing ------------------------------------------------------------------- */

/* Constant-time: the same work whatever the first differing byte. */
static bool key_ok(const struct http_server *s, const struct http_req *r)
{
	if (!s->api_key)
		return true;
	const char *a = r->auth;
	if (!r->has_auth || strncasecmp(a, "Bearer ", 7))
		return false;
	a += 7;
	while (*a == ' ')
		a++;
	size_t n = strlen(a), m = strlen(s->api_key);
	unsigned diff = n != m;
	for (size_t i = 0; i < m; i++)
		diff |= (unsigned char)s->api_key[i] ^ (unsigned char)(i < n ? a[i] : 0);
	return diff == 0;
}

enum route { R_NONE, R_PAGE, R_HEALTH, R_MODELS, R_MODEL, R_COMPLETIONS, R_CHAT, R_EMBED };

static enum route route(const struct http_req *r, const char **arg)
{
	static const struct { const char *path; enum route r; } routes[] = {
		{ "/", R_PAGE }, { "/index.html", R_PAGE }, { "/health", R_HEALTH },
		{ "/v1/health", R_HEALTH }, { "/v1/models", R_MODELS }, { "/models", R_MODELS },
		{ "/v1/completions", R_COMPLETIONS }, { "/completions", R_COMPLETIONS },
		{ "/v1/chat/completions", R_CHAT }, { "/chat/completions", R_CHAT },
		{ "/v1/embeddings", R_EMBED }, { "/embeddings", R_EMBED },
	};
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
		if (http_path_is(r, routes[i].path))
			return routes[i].r;
	if (!strncmp(r->target, "/v1/models/", 11) && r->target[11]) {
		*arg = r->target + 11;
		return R_MODEL;
	}
	return R_NONE;
}

void api_request(struct http_server *s, struct http_conn *c, char *body, size_t n)
{
	struct http_req *r = &c->req;
	static const char *mname[] = { "?", "GET", "HEAD", "POST", "OPTIONS" };
	srv_log(s, "#%u %s %.120s", c->serial, mname[r->method], r->target);
	if (r->method == HTTP_OPTIONS) { /* CORS preflight */
		conn_respond(c, 204, NULL,
			     "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
			     "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
			     "Access-Control-Max-Age: 86400\r\n", "", 0);
		return;
	}
	const char *arg = NULL;
	enum route rt = route(r, &arg);
	bool get = r->method == HTTP_GET || r->method == HTTP_HEAD;
	bool post_route = rt == R_COMPLETIONS || rt == R_CHAT || rt == R_EMBED;
	if (rt == R_NONE) {
		conn_error(c, 404, NULL, "not_found", "no such endpoint: %.100s", r->target);
		return;
	}
	if (r->method == HTTP_OTHER || (post_route ? r->method != HTTP_POST : !get)) {
		conn_error(c, 405, NULL, NULL, "%s %.100s: method not allowed",
			   mname[r->method], r->target);
		return;
	}
	/* the page and the health check are public: a browser cannot send the
	 * key with the page's own request (the page asks for it) */
	if (rt != R_PAGE && rt != R_HEALTH && !key_ok(s, r)) {
		conn_error(c, 401, NULL, "invalid_api_key", "%s",
			   r->has_auth ? "invalid API key" : "missing API key (Authorization: Bearer KEY)");
		return;
	}
	switch (rt) {
	case R_PAGE:
		conn_respond(c, 200, "text/html; charset=utf-8", NULL, net_page_html, net_page_html_len);
		return;
	case R_HEALTH:
		health(c);
		return;
	case R_MODELS:
	case R_MODEL:
		models(s, c, arg);
		return;
	default:
		break;
	}

	struct req q = { s, c, { 0 }, NULL, false };
	char err[160];
	if (json_parse(&q.d, body, n, err, sizeof err) != 0) {
		conn_error(c, 400, NULL, NULL, "%s", n ? err : "the request needs a JSON body");
		goto out;
	}
	q.root = json_root(&q.d);
	if (q.root->type != JSON_OBJECT) {
		conn_error(c, 400, NULL, NULL, "the request body must be a JSON object");
		goto out;
	}
	struct job *j = rt == R_COMPLETIONS ? completion(&q) : rt == R_CHAT ? chat(&q) : embeddings(&q);
	if (q.failed || !j) {
		job_free(j);
		goto out;
	}
	if ((j->kind != JOB_EMBED && !j->text)) {
		job_free(j);
		conn_error(c, 500, NULL, NULL, "out of memory");
		goto out;
	}
	if (!srv_enqueue(s, j)) {
		job_free(j);
		s->st.refused++;
		conn_error(c, 503, NULL, "queue_full", "the server is busy (%d requests waiting)",
			   s->cfg.max_queue);
	}
out:
	json_free(&q.d);
}
