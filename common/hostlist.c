/*
 * Hostlist expressions. Layout: natural order, the expander (tokens, bracket
 * groups, ranges, then the names in Slurm's order), the compressor (Slurm's
 * hostrange model: prefix + number range + zero-padding width, sorted,
 * joined, written), and the small conveniences.
 *
 * The compressor keeps Slurm's own rules on purpose, quirks included (the
 * width equivalence test that lets "n9" and "n10" share a range but keeps
 * "n1" and "n01" apart), so that a node set reads the same here as in
 * sinfo, squeue and scontrol.
 */
#include "common/hostlist.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define MAX_DIGITS 18
#define MAX_RANGE 65536        /* Slurm's MAX_RANGE (MAX_SLURM_NODES) */
#define MAX_PREFIX_CNT 65536   /* Slurm's MAX_PREFIX_CNT */

/* ---- natural order (Slurm's strnatcmp, without case folding) ------------- */

static int nat_right(const char *a, const char *b)
{
	int bias = 0;
	/* the longest run of digits wins; else the first difference decides */
	for (;; a++, b++) {
		int da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);
		if (!da && !db)
			return bias;
		if (!da)
			return -1;
		if (!db)
			return +1;
		if (*a < *b && !bias)
			bias = -1;
		else if (*a > *b && !bias)
			bias = +1;
	}
}

static int nat_left(const char *a, const char *b)
{
	/* numbers with leading zeros compare as fractions: first difference wins */
	for (;; a++, b++) {
		int da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);
		if (!da && !db)
			return 0;
		if (!da)
			return -1;
		if (!db)
			return +1;
		if (*a != *b)
			return *a < *b ? -1 : +1;
	}
}

int anvil_hostlist_natcmp(const char *a, const char *b)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (isspace((unsigned char)a[i]))
			i++;
		while (isspace((unsigned char)b[j]))
			j++;
		unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[j];
		if (isdigit(ca) && isdigit(cb)) {
			int r = (ca == '0' || cb == '0') ? nat_left(a + i, b + j) : nat_right(a + i, b + j);
			if (r)
				return r;
		}
		if (!ca && !cb)
			return 0;
		if (ca != cb)
			return ca < cb ? -1 : +1;
		i++;
		j++;
	}
}

/* ---- the list --------------------------------------------------------------- */

static int push_owned(struct anvil_hostlist *hl, char *host)
{
	if (!host)
		return -1;
	if (hl->n == hl->cap) {
		size_t cap = hl->cap ? hl->cap * 2 : 16;
		char **p = realloc(hl->hosts, cap * sizeof(*p));
		if (!p) {
			free(host);
			return -1;
		}
		hl->hosts = p;
		hl->cap = cap;
	}
	hl->hosts[hl->n++] = host;
	return 0;
}

int anvil_hostlist_push(struct anvil_hostlist *hl, const char *host)
{
	return push_owned(hl, strdup(host));
}

void anvil_hostlist_release(struct anvil_hostlist *hl)
{
	for (size_t i = 0; i < hl->n; i++)
		free(hl->hosts[i]);
	free(hl->hosts);
	hl->hosts = NULL;
	hl->n = hl->cap = 0;
}

/* ---- expanding ---------------------------------------------------------------- */

struct span {                 /* one "lo-hi" of a bracket group */
	unsigned long lo, hi;
	int width;            /* digits of lo as written: the zero padding */
};

struct group {                /* one [...] of a name */
	struct span *spans;
	int nspans;
};

struct parser {
	const char *s;
	size_t len, pos;      /* pos: the next byte to read */
	struct anvil_hostlist *out;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "column %zu: %s", at + 1, what);
	return -1;
}

static int is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n';
}

/* How a byte is named in a message: 'x', or \xNN when not printable. */
static const char *byte_name(char c, char *buf, size_t len)
{
	if (isprint((unsigned char)c))
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte \\x%02x", (unsigned char)c);
	return buf;
}

static int parse_number(struct parser *p, size_t end, unsigned long *v, int *width)
{
	size_t start = p->pos;
	unsigned long n = 0;
	while (p->pos < end && isdigit((unsigned char)p->s[p->pos])) {
		if (p->pos - start == MAX_DIGITS)
			return fail(p, start, "number longer than %d digits", MAX_DIGITS);
		n = n * 10 + (unsigned long)(p->s[p->pos] - '0');
		p->pos++;
	}
	if (p->pos == start) {
		char b[16];
		if (p->pos >= end || p->s[p->pos] == ',')
			return fail(p, p->pos, "empty range (expected a number)");
		return fail(p, p->pos, "%s where a number was expected",
			    byte_name(p->s[p->pos], b, sizeof(b)));
	}
	*v = n;
	*width = (int)(p->pos - start);
	return 0;
}

/* One bracket group; p->pos is just after '[', end at its ']'. */
static int parse_group(struct parser *p, size_t end, struct group *g)
{
	int cap = 0;
	unsigned long total = 0;
	for (;;) {
		struct span sp;
		size_t at = p->pos;
		if (parse_number(p, end, &sp.lo, &sp.width))
			return -1;
		sp.hi = sp.lo;
		if (p->pos < end && p->s[p->pos] == '-') {
			int w;
			p->pos++;
			if (parse_number(p, end, &sp.hi, &w))
				return -1;
			if (sp.hi < sp.lo)
				return fail(p, at, "range %lu-%lu runs backwards", sp.lo, sp.hi);
		}
		if (sp.hi - sp.lo >= MAX_RANGE)
			return fail(p, at, "range of more than %d numbers", MAX_RANGE);
		total += sp.hi - sp.lo + 1;
		if (g->nspans == cap) {
			cap = cap ? cap * 2 : 4;
			struct span *n = realloc(g->spans, (size_t)cap * sizeof(*n));
			if (!n)
				return fail(p, at, "out of memory");
			g->spans = n;
		}
		g->spans[g->nspans++] = sp;
		if (p->pos == end)
			break;
		if (p->s[p->pos] != ',') {
			char b[16];
			return fail(p, p->pos, "%s after a number (expected ',', '-' or ']')",
				    byte_name(p->s[p->pos], b, sizeof(b)));
		}
		p->pos++;
	}
	if (total > MAX_PREFIX_CNT)
		return fail(p, end, "bracket group of more than %d numbers", MAX_PREFIX_CNT);
	return 0;
}

/* A name split at its bracket groups: lit[0] g[0] lit[1] g[1] ... lit[n]. */
struct name {
	struct group *g;
	const char **lit;     /* into the input; lens in litlen */
	size_t *litlen;
	int ngroups;
	size_t at;            /* column of the name, for messages */
};

static void name_release(struct name *nm)
{
	for (int i = 0; i < nm->ngroups; i++)
		free(nm->g[i].spans);
	free(nm->g);
	free(nm->lit);
	free(nm->litlen);
	memset(nm, 0, sizeof(*nm));
}

/* The value chosen in each group while walking the product. */
struct pick {
	unsigned long *v;
	int *w;
};

static int emit(struct parser *p, const struct name *nm, const struct pick *pk)
{
	if (p->out->n >= ANVIL_HOSTLIST_MAX_HOSTS)
		return fail(p, nm->at, "more than %u names", ANVIL_HOSTLIST_MAX_HOSTS);
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i <= nm->ngroups; i++) {
		strbuf_add(&sb, nm->lit[i], nm->litlen[i]);
		if (i < nm->ngroups)
			strbuf_addf(&sb, "%0*lu", pk->w[i], pk->v[i]);
	}
	if (push_owned(p->out, strbuf_detach(&sb)))
		return fail(p, nm->at, "out of memory");
	return 0;
}

/* Every value of group gi, then recursion. Slurm's order: the last group is
 * the innermost loop; the groups before it nest from the next-to-last
 * (outermost) down to the first. */
static int walk(struct parser *p, const struct name *nm, struct pick *pk, int gi)
{
	const struct group *g = &nm->g[gi];
	for (int s = 0; s < g->nspans; s++) {
		for (unsigned long v = g->spans[s].lo;; v++) {
			pk->v[gi] = v;
			pk->w[gi] = g->spans[s].width;
			int next = gi == nm->ngroups - 1 ? -1 : gi - 1;
			int rc;
			if (gi == nm->ngroups - 1)
				rc = emit(p, nm, pk);
			else if (next >= 0)
				rc = walk(p, nm, pk, next);
			else
				rc = walk(p, nm, pk, nm->ngroups - 1);
			if (rc)
				return rc;
			if (v == g->spans[s].hi)
				break;
		}
	}
	return 0;
}

static int expand_name(struct parser *p, const struct name *nm)
{
	if (nm->ngroups == 0) {
		char *h = strndup(nm->lit[0], nm->litlen[0]);
		if (p->out->n >= ANVIL_HOSTLIST_MAX_HOSTS) {
			free(h);
			return fail(p, nm->at, "more than %u names", ANVIL_HOSTLIST_MAX_HOSTS);
		}
		return push_owned(p->out, h) ? fail(p, nm->at, "out of memory") : 0;
	}
	/* count first: a name of a million hosts past the limit is refused at
	 * once, not after a second of making them (found by fuzz_hostlist) */
	unsigned long count = 1;
	for (int i = 0; i < nm->ngroups; i++) {
		unsigned long in = 0;
		for (int s = 0; s < nm->g[i].nspans; s++)
			in += nm->g[i].spans[s].hi - nm->g[i].spans[s].lo + 1;
		count = count > ANVIL_HOSTLIST_MAX_HOSTS ? count : count * in;  /* in <= MAX_PREFIX_CNT */
	}
	if (count > ANVIL_HOSTLIST_MAX_HOSTS - p->out->n)
		return fail(p, nm->at, "more than %u names", ANVIL_HOSTLIST_MAX_HOSTS);
	struct pick pk = { calloc((size_t)nm->ngroups, sizeof(unsigned long)),
			   calloc((size_t)nm->ngroups, sizeof(int)) };
	int rc;
	if (!pk.v || !pk.w)
		rc = fail(p, nm->at, "out of memory");
	else
		rc = walk(p, nm, &pk, nm->ngroups >= 2 ? nm->ngroups - 2 : 0);
	free(pk.v);
	free(pk.w);
	return rc;
}

static int add_literal(struct name *nm, const char *s, size_t len, int *cap)
{
	if (nm->ngroups + 1 >= *cap) {
		int c = *cap ? *cap * 2 : 4;
		struct group *g = realloc(nm->g, (size_t)c * sizeof(*g));
		if (g)
			nm->g = g;
		const char **l = realloc(nm->lit, (size_t)c * sizeof(*l));
		if (l)
			nm->lit = l;
		size_t *ll = realloc(nm->litlen, (size_t)c * sizeof(*ll));
		if (ll)
			nm->litlen = ll;
		if (!g || !l || !ll)
			return -1;
		*cap = c;
	}
	nm->lit[nm->ngroups] = s;
	nm->litlen[nm->ngroups] = len;
	return 0;
}

/* One name from p->pos to the next top-level separator. */
static int parse_name(struct parser *p)
{
	struct name nm = { .at = p->pos };
	int cap = 0, rc = 0;
	size_t lit = p->pos;
	while (!rc && p->pos < p->len && !is_sep(p->s[p->pos])) {
		char c = p->s[p->pos];
		if (c == '\0') {
			rc = fail(p, p->pos, "NUL byte in a host name");
		} else if (c == ']') {
			rc = fail(p, p->pos, "']' without '['");
		} else if (c == '[') {
			size_t open = p->pos, close = open + 1;
			while (close < p->len && p->s[close] != ']' && p->s[close] != '[')
				close++;
			if (close == p->len)
				rc = fail(p, open, "'[' is never closed");
			else if (p->s[close] == '[')
				rc = fail(p, close, "'[' inside brackets (groups cannot nest)");
			else if (add_literal(&nm, p->s + lit, open - lit, &cap))
				rc = fail(p, open, "out of memory");
			if (rc)
				break;
			memset(&nm.g[nm.ngroups], 0, sizeof(nm.g[0]));
			p->pos = open + 1;
			nm.ngroups++;  /* counted before parsing, so name_release frees its spans */
			if (parse_group(p, close, &nm.g[nm.ngroups - 1]))
				rc = -1;
			p->pos = close + 1;
			lit = p->pos;
		} else {
			p->pos++;
		}
	}
	if (!rc && add_literal(&nm, p->s + lit, p->pos - lit, &cap))
		rc = fail(p, p->pos, "out of memory");
	if (!rc)
		rc = expand_name(p, &nm);
	name_release(&nm);
	return rc;
}

int anvil_hostlist_expand(struct anvil_hostlist *hl, const char *expr, size_t len,
			  char *err, size_t errlen)
{
	struct parser p = { .s = expr, .len = expr ? len : 0, .out = hl, .err = err, .errlen = errlen };
	while (p.pos < p.len) {
		if (is_sep(p.s[p.pos])) {
			p.pos++;
			continue;
		}
		if (parse_name(&p))
			return -1;
	}
	return 0;
}

/* ---- compressing: Slurm's hostrange model ---------------------------------- */

struct hrange {
	char *prefix;          /* owned */
	unsigned long lo, hi;
	int width;
	int single;            /* no numeric suffix: prefix is the whole name */
};

/* Zeros needed to pad num to width. */
static int zero_padded(unsigned long num, int width)
{
	int n = 1;
	while (num /= 10)
		n++;
	return width > n ? width - n : 0;
}

/* Slurm's _width_equiv: may adjust one width so both agree (the adjustment
 * never changes how either number is written). 1 when compatible. */
static int width_equiv(unsigned long n, int *wn, unsigned long m, int *wm)
{
	if (*wn == *wm)
		return 1;
	int npad = zero_padded(n, *wn), nmpad = zero_padded(n, *wm);
	int mpad = zero_padded(m, *wm), mnpad = zero_padded(m, *wn);
	if (npad != nmpad && mpad != mnpad)
		return 0;
	if (npad != nmpad)
		*wm = *wn;
	else
		*wn = *wm;
	return 1;
}

static int prefix_cmp(const struct hrange *a, const struct hrange *b)
{
	int r = anvil_hostlist_natcmp(a->prefix, b->prefix);
	return r ? r : b->single - a->single;
}

static int width_combine(struct hrange *a, struct hrange *b)
{
	return width_equiv(a->lo, &a->width, b->lo, &b->width);
}

static int hrange_cmp(const void *x, const void *y)
{
	struct hrange *a = *(struct hrange *const *)x, *b = *(struct hrange *const *)y;
	int r = prefix_cmp(a, b);
	if (r)
		return r;
	if (width_combine(a, b))
		return (a->lo > b->lo) - (a->lo < b->lo);
	return a->width - b->width;
}

static int within_range(const struct hrange *a, const struct hrange *b)
{
	return prefix_cmp(a, b) == 0 && !a->single && !b->single;
}

/* Slurm's hostname_create: trailing digits are the number. */
static struct hrange *hrange_of(const char *host)
{
	struct hrange *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	size_t len = strlen(host), idx = len;
	while (idx > 0 && isdigit((unsigned char)host[idx - 1]))
		idx--;
	if (idx == len || len - idx > MAX_DIGITS) {
		h->prefix = strdup(host);
		h->single = 1;
	} else {
		h->prefix = strndup(host, idx);
		h->lo = h->hi = strtoul(host + idx, NULL, 10);
		h->width = (int)(len - idx);
	}
	if (!h->prefix) {
		free(h);
		return NULL;
	}
	return h;
}

/* Slurm's hostrange_join: -1 when a and b stay apart, else a holds both. */
static int hrange_join(struct hrange *a, struct hrange *b)
{
	if (prefix_cmp(a, b) != 0 || !width_combine(a, b))
		return -1;
	if (a->single && b->single)
		return 1;
	if (a->hi + 1 == b->lo) {
		a->hi = b->hi;
		return 0;
	}
	if (a->hi >= b->lo) {
		if (a->hi < b->hi)
			a->hi = b->hi;
		return 1;
	}
	return -1;
}

static void free_ranges(struct hrange **r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i])
			free(r[i]->prefix);
		free(r[i]);
	}
	free(r);
}

/* The ranges of hosts: pushed (joining a consecutive tail, as
 * hostlist_push_range does), sorted, then joined (hostlist_uniq). */
static struct hrange **to_ranges(const char *const *hosts, size_t n, size_t *count)
{
	struct hrange **r = calloc(n ? n : 1, sizeof(*r));
	size_t k = 0;
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct hrange *h = hrange_of(hosts[i] ? hosts[i] : "");
		if (!h) {
			free_ranges(r, k);
			return NULL;
		}
		struct hrange *t = k ? r[k - 1] : NULL;
		if (t && !t->single && !h->single && t->hi + 1 == h->lo && prefix_cmp(t, h) == 0 &&
		    width_combine(t, h)) {
			t->hi = h->hi;
			free(h->prefix);
			free(h);
		} else {
			r[k++] = h;
		}
	}
	if (k > 1)
		anvil_sort(r, k, sizeof(*r), hrange_cmp);
	size_t last = 0;
	for (size_t i = 1; i < k; i++) {
		struct hrange *h = r[i];
		r[i] = NULL;
		if (hrange_join(r[last], h) >= 0) {
			free(h->prefix);
			free(h);
		} else {
			r[++last] = h;
		}
	}
	*count = k ? last + 1 : 0;
	return r;
}

static void add_num(struct strbuf *sb, const struct hrange *h)
{
	strbuf_addf(sb, "%0*lu", h->width, h->lo);
	if (h->lo < h->hi)
		strbuf_addf(sb, "-%0*lu", h->width, h->hi);
}

char *anvil_hostlist_compress(const char *const *hosts, size_t n)
{
	size_t k = 0;
	struct hrange **r = to_ranges(hosts, n, &k);
	if (!r)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < k;) {
		if (i)
			strbuf_addch(&sb, ',');
		int bracket = (!r[i]->single && r[i]->hi > r[i]->lo) ||
			      (i + 1 < k && within_range(r[i], r[i + 1]));
		strbuf_adds(&sb, r[i]->prefix);
		if (bracket)
			strbuf_addch(&sb, '[');
		size_t start = i;
		do {
			if (i > start)
				strbuf_addch(&sb, ',');
			if (!r[i]->single)
				add_num(&sb, r[i]);
		} while (++i < k && within_range(r[i], r[i - 1]));
		if (bracket)
			strbuf_addch(&sb, ']');
	}
	free_ranges(r, k);
	return strbuf_detach(&sb);
}

char *anvil_hostlist_ranged(const struct anvil_hostlist *hl)
{
	return anvil_hostlist_compress((const char *const *)hl->hosts, hl->n);
}

char *anvil_hostlist_normalise(const char *expr, size_t len, char *err, size_t errlen)
{
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	char *out = NULL;
	if (anvil_hostlist_expand(&hl, expr, len, err, errlen) == 0) {
		out = anvil_hostlist_ranged(&hl);
		if (!out)
			snprintf(err, errlen, "out of memory");
	}
	anvil_hostlist_release(&hl);
	return out;
}
