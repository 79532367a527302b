/* A backtracking regex VM with std::regex's ECMAScript match order, for the
 * pre-tokenizer regexes llama.cpp does not hand-code. The pattern is parsed
 * into a small tree, the tree compiled into instructions (SPLIT tries its
 * first branch first: greedy loops prefer one more turn), and a match runs
 * them depth-first with an explicit stack, so long inputs do not recurse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_regex.h"
#include "ai/unicode.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

enum op { OP_CHAR, OP_CLASS, OP_ANY, OP_EOL, OP_SPLIT, OP_JMP, OP_LOOK, OP_NLOOK, OP_MATCH };

struct inst {
	uint8_t op;
	int32_t x, y; /* SPLIT: first, second; JMP: x; CLASS: x = class; LOOK: body x, next y */
	uint32_t c;   /* CHAR */
};

/* class escapes */
enum { ES_S = 1, ES_NS = 2, ES_D = 4, ES_ND = 8, ES_W = 16, ES_NW = 32 };

struct rclass {
	uint32_t first, n; /* ranges[first .. first+n), sorted, disjoint */
	uint8_t esc;
	bool neg;
};

struct tok_regex {
	struct inst *code;
	int n_code;
	struct rclass *cls;
	int n_cls;
	uint32_t (*ranges)[2];
	uint32_t n_ranges, cap_ranges;
	bool collapsed;
};

struct tok_regex_thr {
	int32_t pc;
	uint32_t sp;
};

/* ---- llama.cpp's collapsed form of \p{..} ---------------------------------- */

static const struct {
	const char *name;
	char byte;
	const char *ascii; /* the ASCII members, as a class body */
} ucat[] = {
	{"\\p{N}", '\xD1', "0-9"},
	{"\\p{L}", '\xD2', "A-Za-z"},
	{"\\p{P}", '\xD3', "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
	{"\\p{M}", '\xD4', ""},
	{"\\p{S}", '\xD5', "\\$\\+<->^`\\|"},
	{"\\p{Lu}", '\xD2', "A-Za-z"},
	{"\\p{Ll}", '\xD2', "A-Za-z"},
	{"\\p{Lt}", '\xD2', "A-Za-z"},
	{"\\p{Lm}", '\xD2', "A-Za-z"},
	{"\\p{Lo}", '\xD2', "A-Za-z"},
};
#define N_UCAT (int)(sizeof(ucat) / sizeof(ucat[0]))

static int ucat_find(const char *s, size_t n)
{
	for (int k = 0; k < N_UCAT; k++)
		if (strlen(ucat[k].name) == n && memcmp(ucat[k].name, s, n) == 0)
			return k;
	return -1;
}

/* Rewrite pat as llama.cpp's unicode_regex_split does before handing it to
 * std::regex (including its way of tracking brackets). Returns a malloc'd
 * string, or NULL with *bad set when pat also has non-ASCII characters. */
static char *collapse(const char *pat, bool *bad)
{
	size_t n = strlen(pat), k = 0;
	char *out = malloc(4 * n + 1);
	bool inside = false;

	*bad = false;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)pat[i] >= 0x80) {
			*bad = true;
			free(out);
			return NULL;
		}
	for (size_t i = 0; i < n; i++) {
		if (pat[i] == '[' && (i == 0 || pat[i - 1] != '\\')) {
			out[k++] = '[';
			inside = true;
			continue;
		}
		if (inside && pat[i] == ']' && pat[i - 1] != '\\') {
			out[k++] = ']';
			inside = false;
			continue;
		}
		if (pat[i] == '\\' && i + 3 < n && pat[i + 1] == 'p' && pat[i + 2] == '{') {
			const char *close = memchr(pat + i + 3, '}', n - i - 3);
			int u = close && (size_t)(close - pat) <= i + 10 ?
				ucat_find(pat + i, (size_t)(close - pat) - i + 1) : -1;
			if (u >= 0) {
				if (!inside)
					out[k++] = '[';
				out[k++] = ucat[u].byte;
				memcpy(out + k, ucat[u].ascii, strlen(ucat[u].ascii));
				k += strlen(ucat[u].ascii);
				if (!inside)
					out[k++] = ']';
				i = (size_t)(close - pat);
				continue;
			}
		}
		out[k++] = pat[i];
	}
	out[k] = 0;
	return out;
}

uint32_t tok_regex_sym(const struct tok_regex *re, uint32_t cp, int cat, bool space)
{
	static const uint8_t cat_byte[] = {
		[UCAT_OTHER] = 0xD0, [UCAT_LETTER] = 0xD2, [UCAT_NUMBER] = 0xD1,
		[UCAT_PUNCT] = 0xD3, [UCAT_MARK] = 0xD4, [UCAT_SYMBOL] = 0xD5,
	};
	if (cp < 0x80)
		return cp;
	if (space)
		return 0x0B;
	return re->collapsed ? cat_byte[cat] : cp;
}

/* ---- parser ---------------------------------------------------------------- */

enum nk { NK_EMPTY, NK_CHAR, NK_CLASS, NK_ANY, NK_EOL, NK_CAT, NK_ALT, NK_REP, NK_LOOK };

struct node {
	uint8_t k;
	bool neg, greedy;
	int a, b;      /* children */
	int min, max;  /* REP; max < 0: unbounded */
	uint32_t c;    /* CHAR; CLASS: class index */
};

struct parser {
	const uint32_t *p;
	size_t n, i;
	struct tok_regex *re;
	struct node *nodes;
	int nn, ncap;
	const char *bad; /* first error */
};

#define MAX_REPEAT 1024
#define MAX_CODE (1 << 18)

static int node_new(struct parser *ps, struct node v)
{
	if (ps->nn == ps->ncap) {
		int cap = ps->ncap ? 2 * ps->ncap : 64;
		struct node *nv = realloc(ps->nodes, sizeof(*nv) * (size_t)cap);
		if (!nv) {
			ps->bad = "out of memory";
			return 0;
		}
		ps->nodes = nv, ps->ncap = cap;
	}
	ps->nodes[ps->nn] = v;
	return ps->nn++;
}

static bool fail(struct parser *ps, const char *why)
{
	if (!ps->bad)
		ps->bad = why;
	return false;
}

static int range_add(struct parser *ps, uint32_t lo, uint32_t hi)
{
	struct tok_regex *re = ps->re;
	if (re->n_ranges == re->cap_ranges) {
		uint32_t cap = re->cap_ranges ? 2 * re->cap_ranges : 16;
		void *nr = realloc(re->ranges, sizeof(*re->ranges) * cap);
		if (!nr)
			return fail(ps, "out of memory"), -1;
		re->ranges = nr, re->cap_ranges = cap;
	}
	re->ranges[re->n_ranges][0] = lo;
	re->ranges[re->n_ranges][1] = hi;
	re->n_ranges++;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* A new class over the ranges added since first; sorts and merges them. */
static int class_new(struct parser *ps, uint32_t first, uint8_t esc, bool neg)
{
	struct tok_regex *re = ps->re;
	uint32_t n = re->n_ranges - first, k = 0;
	if (n > 1)
		qsort(re->ranges + first, n, sizeof(*re->ranges), cmp_range);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t *r = re->ranges[first + i];
		if (k > 0 && r[0] <= re->ranges[first + k - 1][1] + 1) {
			if (r[1] > re->ranges[first + k - 1][1])
				re->ranges[first + k - 1][1] = r[1];
		} else {
			re->ranges[first + k][0] = r[0];
			re->ranges[first + k][1] = r[1];
			k++;
		}
	}
	re->n_ranges = first + k;
	struct rclass *nc = realloc(re->cls, sizeof(*nc) * (size_t)(re->n_cls + 1));
	if (!nc)
		return fail(ps, "out of memory"), -1;
	re->cls = nc;
	re->cls[re->n_cls] = (struct rclass){first, k, esc, neg};
	return re->n_cls++;
}

static int hexval(uint32_t c)
{
	return c >= '0' && c <= '9' ? (int)c - '0' : c >= 'a' && c <= 'f' ? (int)c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? (int)c - 'A' + 10 : -1;
}

/* The escape after a backslash at p[i]: a character (returns 0, *c) or a
 * class escape (returns its ES_ bit), -1 when unsupported. */
static int escape(struct parser *ps, bool in_class, uint32_t *c)
{
	if (ps->i >= ps->n)
		return fail(ps, "trailing backslash"), -1;
	uint32_t e = ps->p[ps->i++];
	int digits = e == 'x' ? 2 : e == 'u' ? 4 : 0;
	switch (e) {
	case 's': return ES_S;
	case 'S': return ES_NS;
	case 'd': return ES_D;
	case 'D': return ES_ND;
	case 'w': return ES_W;
	case 'W': return ES_NW;
	case 'r': *c = '\r'; return 0;
	case 'n': *c = '\n'; return 0;
	case 't': *c = '\t'; return 0;
	case 'v': *c = '\v'; return 0;
	case 'f': *c = '\f'; return 0;
	case '0': *c = 0; return 0;
	case 'b':
		if (in_class) {
			*c = '\b';
			return 0;
		}
		return fail(ps, "\\b is not supported"), -1;
	case 'B': case 'c': case 'p': case 'P': case 'k':
		return fail(ps, "unsupported escape"), -1;
	}
	if (e >= '1' && e <= '9')
		return fail(ps, "back-references are not supported"), -1;
	if (digits) {
		uint32_t v = 0;
		for (int k = 0; k < digits; k++) {
			int h = ps->i < ps->n ? hexval(ps->p[ps->i]) : -1;
			if (h < 0)
				return fail(ps, "bad hex escape"), -1;
			v = v * 16 + (uint32_t)h;
			ps->i++;
		}
		*c = v;
		return 0;
	}
	*c = e; /* identity escape */
	return 0;
}

static int parse_class(struct parser *ps)
{
	uint32_t first = ps->re->n_ranges;
	uint8_t esc = 0;
	bool neg = false;

	if (ps->i < ps->n && ps->p[ps->i] == '^')
		neg = true, ps->i++;
	for (;;) {
		uint32_t lo, hi;
		int e = 0;
		if (ps->i >= ps->n)
			return fail(ps, "unterminated class"), -1;
		if (ps->p[ps->i] == ']') {
			ps->i++;
			break;
		}
		if (ps->p[ps->i] == '\\') {
			ps->i++;
			if ((e = escape(ps, true, &lo)) < 0)
				return -1;
		} else {
			lo = ps->p[ps->i++];
		}
		if (e) {
			esc |= (uint8_t)e;
			continue;
		}
		hi = lo;
		if (ps->i + 1 < ps->n && ps->p[ps->i] == '-' && ps->p[ps->i + 1] != ']') {
			ps->i++;
			if (ps->p[ps->i] == '\\') {
				ps->i++;
				if ((e = escape(ps, true, &hi)) != 0)
					return fail(ps, "class escape as a range end"), -1;
			} else {
				hi = ps->p[ps->i++];
			}
			if (hi < lo)
				return fail(ps, "reversed range"), -1;
		}
		if (range_add(ps, lo, hi) < 0)
			return -1;
	}
	return class_new(ps, first, esc, neg);
}

static int parse_alt(struct parser *ps);

static int parse_atom(struct parser *ps)
{
	uint32_t c = ps->p[ps->i++];
	int k;

	switch (c) {
	case '(': {
		struct node v = {.k = NK_LOOK};
		bool look = false;
		if (ps->i + 1 < ps->n && ps->p[ps->i] == '?') {
			uint32_t t = ps->p[ps->i + 1];
			if (t != ':' && t != '=' && t != '!')
				return fail(ps, "unsupported group"), -1;
			look = t != ':';
			v.neg = t == '!';
			ps->i += 2;
		}
		if ((k = parse_alt(ps)) < 0)
			return -1;
		if (ps->i >= ps->n || ps->p[ps->i] != ')')
			return fail(ps, "missing )"), -1;
		ps->i++;
		if (!look)
			return k;
		v.a = k;
		return node_new(ps, v);
	}
	case '[':
		if ((k = parse_class(ps)) < 0)
			return -1;
		return node_new(ps, (struct node){.k = NK_CLASS, .c = (uint32_t)k});
	case '\\': {
		int e = escape(ps, false, &c);
		if (e < 0)
			return -1;
		if (e == 0)
			return node_new(ps, (struct node){.k = NK_CHAR, .c = c});
		if ((k = class_new(ps, ps->re->n_ranges, (uint8_t)e, false)) < 0)
			return -1;
		return node_new(ps, (struct node){.k = NK_CLASS, .c = (uint32_t)k});
	}
	case '.':
		return node_new(ps, (struct node){.k = NK_ANY});
	case '$':
		return node_new(ps, (struct node){.k = NK_EOL});
	case '^': case '*': case '+': case '?': case '{': case ')':
		return fail(ps, "unsupported or misplaced metacharacter"), -1;
	}
	return node_new(ps, (struct node){.k = NK_CHAR, .c = c});
}

static bool read_int(struct parser *ps, int *v)
{
	size_t i0 = ps->i;
	*v = 0;
	while (ps->i < ps->n && ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9') {
		*v = *v * 10 + (int)(ps->p[ps->i++] - '0');
		if (*v > MAX_REPEAT)
			return fail(ps, "repeat count too large");
	}
	return ps->i > i0;
}

static int parse_quant(struct parser *ps)
{
	int a = parse_atom(ps), min, max;
	if (a < 0 || ps->i >= ps->n)
		return a;
	switch (ps->p[ps->i]) {
	case '*': min = 0, max = -1; ps->i++; break;
	case '+': min = 1, max = -1; ps->i++; break;
	case '?': min = 0, max = 1; ps->i++; break;
	case '{':
		ps->i++;
		if (!read_int(ps, &min))
			return fail(ps, "bad {n,m}"), -1;
		max = min;
		if (ps->i < ps->n && ps->p[ps->i] == ',') {
			ps->i++;
			max = -1;
			if (ps->i < ps->n && ps->p[ps->i] != '}' && (!read_int(ps, &max) || max < min))
				return fail(ps, "bad {n,m}"), -1;
		}
		if (ps->i >= ps->n || ps->p[ps->i] != '}')
			return fail(ps, "bad {n,m}"), -1;
		ps->i++;
		break;
	default:
		return a;
	}
	uint8_t ak = ps->nodes[a].k;
	if (ak == NK_LOOK || ak == NK_EOL || ak == NK_EMPTY)
		return fail(ps, "quantified assertion"), -1;
	bool greedy = !(ps->i < ps->n && ps->p[ps->i] == '?');
	if (!greedy)
		ps->i++;
	return node_new(ps, (struct node){.k = NK_REP, .a = a, .min = min, .max = max, .greedy = greedy});
}

static int parse_cat(struct parser *ps)
{
	int left = -1;
	while (ps->i < ps->n && ps->p[ps->i] != '|' && ps->p[ps->i] != ')') {
		int a = parse_quant(ps);
		if (a < 0)
			return -1;
		left = left < 0 ? a : node_new(ps, (struct node){.k = NK_CAT, .a = left, .b = a});
	}
	return left < 0 ? node_new(ps, (struct node){.k = NK_EMPTY}) : left;
}

static int parse_alt(struct parser *ps)
{
	int left = parse_cat(ps);
	while (left >= 0 && ps->i < ps->n && ps->p[ps->i] == '|') {
		ps->i++;
		int b = parse_cat(ps);
		if (b < 0)
			return -1;
		left = node_new(ps, (struct node){.k = NK_ALT, .a = left, .b = b});
	}
	return ps->bad ? -1 : left;
}

/* ---- code generation ----------------------------------------------------- */

static int min_len(const struct parser *ps, int k)
{
	const struct node *v = &ps->nodes[k];
	switch (v->k) {
	case NK_CHAR: case NK_CLASS: case NK_ANY: return 1;
	case NK_CAT: return min_len(ps, v->a) + min_len(ps, v->b);
	case NK_ALT: {
		int a = min_len(ps, v->a), b = min_len(ps, v->b);
		return a < b ? a : b;
	}
	case NK_REP: return v->min * min_len(ps, v->a);
	default: return 0;
	}
}

static int add(struct parser *ps, struct inst in)
{
	struct tok_regex *re = ps->re;
	if (re->n_code >= MAX_CODE)
		return fail(ps, "pattern too large"), 0;
	if ((re->n_code & (re->n_code - 1)) == 0) { /* grow at powers of two */
		struct inst *nc = realloc(re->code, sizeof(*nc) * (size_t)(re->n_code ? 2 * re->n_code : 1));
		if (!nc)
			return fail(ps, "out of memory"), 0;
		re->code = nc;
	}
	re->code[re->n_code] = in;
	return re->n_code++;
}

static void emit(struct parser *ps, int k)
{
	const struct node v = ps->nodes[k];
	struct tok_regex *re = ps->re;
	int s, j;

	if (ps->bad)
		return;
	switch (v.k) {
	case NK_EMPTY:
		break;
	case NK_CHAR:
		add(ps, (struct inst){.op = OP_CHAR, .c = v.c});
		break;
	case NK_CLASS:
		add(ps, (struct inst){.op = OP_CLASS, .x = (int32_t)v.c});
		break;
	case NK_ANY:
		add(ps, (struct inst){.op = OP_ANY});
		break;
	case NK_EOL:
		add(ps, (struct inst){.op = OP_EOL});
		break;
	case NK_CAT:
		emit(ps, v.a);
		emit(ps, v.b);
		break;
	case NK_ALT:
		s = add(ps, (struct inst){.op = OP_SPLIT});
		emit(ps, v.a);
		j = add(ps, (struct inst){.op = OP_JMP});
		if (ps->bad)
			return;
		re->code[s].x = s + 1;
		re->code[s].y = re->n_code;
		emit(ps, v.b);
		re->code[j].x = re->n_code;
		break;
	case NK_LOOK:
		s = add(ps, (struct inst){.op = v.neg ? OP_NLOOK : OP_LOOK});
		emit(ps, v.a);
		add(ps, (struct inst){.op = OP_MATCH});
		if (ps->bad)
			return;
		re->code[s].x = s + 1;
		re->code[s].y = re->n_code;
		break;
	case NK_REP: {
		for (int i = 0; i < v.min; i++)
			emit(ps, v.a);
		if (v.max < 0) {
			if (min_len(ps, v.a) == 0) {
				fail(ps, "loop body can match empty");
				return;
			}
			s = add(ps, (struct inst){.op = OP_SPLIT});
			emit(ps, v.a);
			add(ps, (struct inst){.op = OP_JMP, .x = s});
			if (ps->bad)
				return;
			re->code[s].x = v.greedy ? s + 1 : re->n_code;
			re->code[s].y = v.greedy ? re->n_code : s + 1;
			break;
		}
		int first = re->n_code;
		for (int i = v.min; i < v.max; i++) {
			add(ps, (struct inst){.op = OP_SPLIT, .x = -1});
			emit(ps, v.a);
		}
		if (ps->bad)
			return;
		for (int p = first; p < re->n_code; p++) /* the optional turns' splits */
			if (re->code[p].op == OP_SPLIT && re->code[p].x == -1) {
				re->code[p].x = v.greedy ? p + 1 : re->n_code;
				re->code[p].y = v.greedy ? re->n_code : p + 1;
			}
		break;
	}
	}
}

struct tok_regex *tok_regex_compile(const char *pat, char *err, size_t errlen)
{
	struct tok_regex *re = calloc(1, sizeof(*re));
	struct parser ps = {0};
	uint32_t *cps = NULL;
	char *text = NULL;
	size_t n = 0;
	bool bad = false;

	if (!re)
		return ERR("regex: out of memory"), NULL;
	for (int k = 0; k < N_UCAT; k++)
		if (strstr(pat, ucat[k].name))
			re->collapsed = true;
	if (re->collapsed && !(text = collapse(pat, &bad))) {
		ERR(bad ? "regex mixes \\p{..} and non-ASCII characters" : "regex: out of memory");
		goto fail;
	}
	const char *src = text ? text : pat;
	size_t len = strlen(src);
	if (!(cps = malloc(sizeof(*cps) * (len + 1)))) {
		ERR("regex: out of memory");
		goto fail;
	}
	for (size_t off = 0; off < len;) { /* collapsed: bytes; else codepoints */
		int k = 1;
		if (text)
			cps[n] = (uint8_t)src[off];
		else
			k = unicode_decode((const uint8_t *)src + off, len - off, &cps[n]);
		n++;
		off += (size_t)k;
	}
	ps = (struct parser){.p = cps, .n = n, .re = re};
	int root = parse_alt(&ps);
	if (root >= 0 && ps.i < ps.n)
		fail(&ps, "unbalanced )");
	if (root >= 0 && !ps.bad) {
		emit(&ps, root);
		add(&ps, (struct inst){.op = OP_MATCH});
	}
	if (ps.bad) {
		ERR("regex: %s at %zu in '%.60s'", ps.bad, ps.i, pat);
		goto fail;
	}
	free(ps.nodes);
	free(cps);
	free(text);
	return re;
fail:
	free(ps.nodes);
	free(cps);
	free(text);
	tok_regex_free(re);
	return NULL;
}

void tok_regex_free(struct tok_regex *re)
{
	if (!re)
		return;
	free(re->code);
	free(re->cls);
	free(re->ranges);
	free(re);
}

void tok_regex_vm_free(struct tok_regex_vm *vm)
{
	free(vm->st);
	vm->st = NULL;
	vm->n = vm->cap = 0;
}

/* ---- matching ---------------------------------------------------------------- */

static bool is_s(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool is_d(uint32_t c) { return c >= '0' && c <= '9'; }
static bool is_w(uint32_t c)
{
	return is_d(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool class_has(const struct tok_regex *re, const struct rclass *k, uint32_t c)
{
	bool in = ((k->esc & ES_S) && is_s(c)) || ((k->esc & ES_NS) && !is_s(c)) ||
		  ((k->esc & ES_D) && is_d(c)) || ((k->esc & ES_ND) && !is_d(c)) ||
		  ((k->esc & ES_W) && is_w(c)) || ((k->esc & ES_NW) && !is_w(c));
	if (!in && k->n) {
		uint32_t lo = k->first, hi = k->first + k->n;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (c < re->ranges[mid][0])
				hi = mid;
			else if (c > re->ranges[mid][1])
				lo = mid + 1;
			else {
				in = true;
				break;
			}
		}
	}
	return in != k->neg;
}

static int push(struct tok_regex_vm *vm, int32_t pc, size_t sp)
{
	if (vm->n == vm->cap) {
		size_t cap = vm->cap ? 2 * vm->cap : 256;
		struct tok_regex_thr *st = realloc(vm->st, sizeof(*st) * cap);
		if (!st)
			return -1;
		vm->st = st, vm->cap = cap;
	}
	vm->st[vm->n++] = (struct tok_regex_thr){pc, (uint32_t)sp};
	return 0;
}

/* Run from pc at sp; the first MATCH reached depth-first wins. A lookahead
 * runs its body the same way on the stack above ours (std::regex passes
 * not_null on to it, with the lookahead's start as the empty position). */
static long run(const struct tok_regex *re, struct tok_regex_vm *vm, const uint32_t *sym,
		int32_t pc, size_t sp, size_t end, bool not_null)
{
	size_t base = vm->n, begin = sp;
	for (;;) {
		const struct inst *in = &re->code[pc];
		bool ok;
		switch (in->op) {
		case OP_CHAR:
			ok = sp < end && sym[sp] == in->c;
			if (ok)
				sp++, pc++;
			break;
		case OP_CLASS:
			ok = sp < end && class_has(re, &re->cls[in->x], sym[sp]);
			if (ok)
				sp++, pc++;
			break;
		case OP_ANY:
			ok = sp < end && sym[sp] != '\n' && sym[sp] != '\r' &&
			     (re->collapsed || (sym[sp] != 0x2028 && sym[sp] != 0x2029));
			if (ok)
				sp++, pc++;
			break;
		case OP_EOL:
			ok = sp == end;
			pc++;
			break;
		case OP_SPLIT:
			if (push(vm, in->y, sp) < 0)
				return vm->n = base, -2;
			pc = in->x;
			continue;
		case OP_JMP:
			pc = in->x;
			continue;
		case OP_LOOK:
		case OP_NLOOK: {
			long r = run(re, vm, sym, in->x, sp, end, not_null);
			if (r == -2)
				return vm->n = base, -2;
			ok = (r >= 0) == (in->op == OP_LOOK);
			pc = in->y;
			break;
		}
		case OP_MATCH:
		default:
			ok = !(not_null && sp == begin);
			if (ok) {
				vm->n = base;
				return (long)sp;
			}
			break;
		}
		if (ok)
			continue;
		if (vm->n == base)
			return -1;
		vm->n--;
		pc = vm->st[vm->n].pc;
		sp = vm->st[vm->n].sp;
	}
}

long tok_regex_match(const struct tok_regex *re, struct tok_regex_vm *vm, const uint32_t *sym,
		     size_t at, size_t end, bool not_null)
{
	return run(re, vm, sym, 0, at, end, not_null);
}
