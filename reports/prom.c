/* metrics.prom: Prometheus text exposition format (version 0.0.4) for
 * node_exporter's textfile collector. Conventions followed: gauges only; one
 * family per unit, in base units (a GB/s figure is anvil_result_bytes_per_second
 * x 1e9, microseconds are seconds), so a family never mixes units; HELP and
 * TYPE once per family and a family's samples together; label names
 * [a-zA-Z_][a-zA-Z0-9_]*, values escaped; no series twice (a second figure
 * with the same labels, as from two ranks of one node, gets its rank as a
 * label); verdicts as state sets (one sample per verdict, 1 for the one
 * that holds) per test and for the run, and as a severity code per check. */
#include "reports/report.h"
#include "common/fmt.h"
#include "reports/render.h"
#include "reports/dtoa.h"
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "reports/jget.h"
#include <time.h>

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(anvil_jget(o, k));
	return v ? v : "";
}

/* A figure's unit -> its family and the factor to the base unit. */
struct unit_map {
	const char *unit, *family;
	double factor;
};

static const struct unit_map units[] = {
	{ "GB/s", "bytes_per_second", 1e9 }, { "MB/s", "bytes_per_second", 1e6 },
	{ "GiB/s", "bytes_per_second", 1073741824.0 }, { "MiB/s", "bytes_per_second", 1048576.0 },
	{ "KiB/s", "bytes_per_second", 1024.0 }, { "B/s", "bytes_per_second", 1 },
	{ "Gb/s", "bytes_per_second", 1e9 / 8 }, { "Mb/s", "bytes_per_second", 1e6 / 8 },
	{ "TFLOP/s", "flops", 1e12 }, { "GFLOP/s", "flops", 1e9 }, { "MFLOP/s", "flops", 1e6 },
	{ "s", "seconds", 1 }, { "ms", "seconds", 1e-3 }, { "us", "seconds", 1e-6 }, { "ns", "seconds", 1e-9 },
	{ "%", "ratio", 0.01 }, { "fraction", "ratio", 1 },
	{ "C", "celsius", 1 }, { "W", "watts", 1 },
	{ "MHz", "hertz", 1e6 }, { "GHz", "hertz", 1e9 },
	{ "Mpps", "packets_per_second", 1e6 },
	{ "IOPS", "operations_per_second", 1 }, { "kIOPS", "operations_per_second", 1e3 },
	{ "B", "bytes", 1 }, { "KiB", "bytes", 1024.0 }, { "MiB", "bytes", 1048576.0 },
	{ "GiB", "bytes", 1073741824.0 }, { "GB", "bytes", 1e9 },
};

enum family_id {
	F_BYTES_PER_SECOND, F_FLOPS, F_SECONDS, F_RATIO, F_CELSIUS, F_WATTS, F_HERTZ, F_PACKETS,
	F_OPS, F_BYTES, F_VALUE, F_CHECK, F_TEST_VERDICT, F_TEST_DURATION, F_COUNT
};

static const struct {
	const char *name, *help;
} families[F_COUNT] = {
	{ "anvil_result_bytes_per_second", "A bandwidth anvil measured, in bytes per second (GB/s x 1e9; Gb/s x 1e9 / 8)." },
	{ "anvil_result_flops", "A compute rate anvil measured, in floating-point operations per second." },
	{ "anvil_result_seconds", "A time or latency anvil measured, in seconds." },
	{ "anvil_result_ratio", "A fraction anvil measured (a percentage / 100)." },
	{ "anvil_result_celsius", "A temperature anvil measured, in degrees Celsius." },
	{ "anvil_result_watts", "A power anvil measured, in watts." },
	{ "anvil_result_hertz", "A clock anvil measured, in hertz." },
	{ "anvil_result_packets_per_second", "A message rate anvil measured, in packets per second." },
	{ "anvil_result_operations_per_second", "An I/O operation rate anvil measured, per second." },
	{ "anvil_result_bytes", "A size anvil measured, in bytes." },
	{ "anvil_result_value", "A count or level anvil measured that has no base unit (the unit label says what)." },
	{ "anvil_check_status", "Each check's verdict as a severity: 0 PASS, 1 SKIP, 2 WAIVED, 3 WARN, 4 NOT RUN, 5 ERROR, 6 FAIL." },
	{ "anvil_test_verdict", "Each test's verdict: 1 for the verdict that holds, 0 for the others." },
	{ "anvil_test_duration_seconds", "How long each test ran, in seconds." },
};

static const char *const verdicts[] = { "PASS", "SKIP", "WAIVED", "WARN", "NOT RUN", "ERROR", "FAIL" };

/* A set of 64-bit series hashes: a repeated series is found without keeping its text. */
struct hashset {
	uint64_t *v;
	size_t cap, n;
};

static int hashset_add(struct hashset *h, uint64_t x)
{
	if (!x)
		x = 1;
	if ((h->n + 1) * 2 > h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 1024;
		uint64_t *nv = calloc(cap, sizeof(*nv));
		for (size_t i = 0; i < h->cap; i++)
			if (h->v[i])
				for (size_t j = h->v[i] & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!nv[j]) {
						nv[j] = h->v[i];
						break;
					}
		free(h->v);
		h->v = nv;
		h->cap = cap;
	}
	for (size_t j = x & (h->cap - 1);; j = (j + 1) & (h->cap - 1)) {
		if (h->v[j] == x)
			return 0;
		if (!h->v[j]) {
			h->v[j] = x;
			h->n++;
			return 1;
		}
	}
}

/* A line's 64-bit hash, a word at a time (a byte at a time was a tenth of
 * the Prometheus rendering at a thousand nodes). */
static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

struct anvil_prom {
	struct anvil_spill fam[F_COUNT];  /* each family's lines, past 1 MiB in a temporary file */
	struct hashset seen[F_COUNT];
	struct strbuf line;        /* the line being made: of a figure, a verdict, a duration */
	struct strbuf check_line;  /* of a check (the checks may be written on another thread) */
	struct anvil_outfile *checks_to;  /* the check family written straight here (it is first) */
	int checks_head;                  /* its HELP and TYPE written */
};

/* The k-th family written: the checks' first, so that their lines (a third
 * of all at a thousand nodes) can go straight to the file, then the rest in
 * the enum's order (a family added there is written without more ado). */
static enum family_id family_at(int k)
{
	return k == 0 ? F_CHECK : (enum family_id)(k - 1 < F_CHECK ? k - 1 : k);
}

/* Label values: backslash, double quote and newline escaped, as the format says. */
static void label_value(struct strbuf *out, const char *v)
{
	/* the bytes to escape, and the NUL that ends v: a table, not three
	 * compares a byte (a million label values go through here) */
	static const unsigned char stop[256] = { [0] = 1, ['\\'] = 1, ['"'] = 1, ['\n'] = 1 };
	for (;;) {
		const char *run = v;
		while (!stop[(unsigned char)*v])
			v++;
		strbuf_add(out, run, (size_t)(v - run));
		if (!*v)
			return;
		strbuf_adds(out, *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : "\\n");
		v++;
	}
}

/* A label: its name (prefix, then name, made [a-zA-Z_][a-zA-Z0-9_]*) and value. */
static void label_named(struct strbuf *out, const char *prefix, const char *name, const char *v, int *first)
{
	strbuf_addch(out, *first ? '{' : ',');
	*first = 0;
	/* label names: [a-zA-Z_][a-zA-Z0-9_]*; names starting "__" are Prometheus's own */
	const char *n0 = *prefix ? prefix : name;
	if (!isalpha((unsigned char)*n0) && *n0 != '_')
		strbuf_addch(out, '_');
	strbuf_adds(out, prefix);
	size_t n = strlen(name);
	strbuf_reserve(out, n);
	for (size_t i = 0; i < n; i++)
		out->buf[out->len + i] = isalnum((unsigned char)name[i]) ? name[i] : '_';
	out->len += n;
	strbuf_add(out, "=\"", 2);
	label_value(out, v);
	strbuf_addch(out, '"');
}

static void label(struct strbuf *out, const char *name, const char *v, int *first)
{
	label_named(out, "", name, v, first);
}

static void extra_labels(struct strbuf *out, const cJSON *labels, int *first)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l) || !l->string)
			continue;
		char name[74];  /* "label_" and the name, cut at 79 bytes as it always was */
		size_t k = strlen(l->string);
		k = k < sizeof(name) - 1 ? k : sizeof(name) - 1;
		memcpy(name, l->string, k);
		name[k] = '\0';
		label_named(out, "label_", name, l->valuestring, first);
	}
}

static void number(struct strbuf *out, double v)
{
	char buf[ANVIL_DTOA_MAX];
	if (isnan(v))
		strbuf_adds(out, " NaN\n");
	else if (isinf(v))
		strbuf_adds(out, v > 0 ? " +Inf\n" : " -Inf\n");
	else {
		strbuf_addch(out, ' ');
		strbuf_add(out, buf, (size_t)anvil_dtoa(v, buf));
		strbuf_addch(out, '\n');
	}
}

static void help_type(struct strbuf *out, const char *name, const char *help)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* l holds "{labels" (no closing brace yet): 1 when its line is to be
 * written, with the rank of rec (a figure or a check) added when the series
 * is there already; 0 when not at all (a repeat without a rank). */
static int unique_line(struct hashset *seen, struct strbuf *l, const cJSON *rec)
{
	if (hashset_add(seen, hash_bytes(l->buf, l->len)))
		return 1;
	const cJSON *r = rec ? anvil_jget(rec, "rank") : NULL;
	if (!cJSON_IsNumber(r))
		return 0;
	char rank[32];
	anvil_fmt(rank, sizeof(rank), "%.0f", r->valuedouble);
	int first = 0;
	label(l, "rank", rank, &first);
	return hashset_add(seen, hash_bytes(l->buf, l->len));
}

/* Family f's sample of labels l (still without its closing brace) to sb. */
static void sample(struct strbuf *sb, enum family_id f, const struct strbuf *l, double value)
{
	strbuf_adds(sb, families[f].name);
	strbuf_add(sb, l->buf, l->len);
	strbuf_addch(sb, '}');
	number(sb, value);
}

/* A sample of l, once (unique_line). */
static void emit_ranked(struct anvil_prom *p, struct strbuf *l, enum family_id f, const cJSON *rec, double value)
{
	if (!unique_line(&p->seen[f], l, rec))
		return;
	int direct = f == F_CHECK && p->checks_to;
	struct strbuf *sb = direct ? &p->checks_to->buf : &p->fam[f].buf;
	if (direct && !p->checks_head) {
		help_type(sb, families[f].name, families[f].help);
		p->checks_head = 1;
	}
	sample(sb, f, l, value);
	if (direct)
		anvil_outfile_flush(p->checks_to, 0);
	else
		anvil_spill_flush(&p->fam[f], 0);
}

static void emit(struct anvil_prom *p, enum family_id f, const cJSON *rec, double value)
{
	emit_ranked(p, &p->line, f, rec, value);
}

/* A family's repeated-series set emptied: every line of a test starts with
 * its test label, so no series of a later test is one of this test's (a
 * set the size of the whole run missed the cache at every line). */
static void seen_reset(struct hashset *h)
{
	if (h->n) {
		memset(h->v, 0, h->cap * sizeof(*h->v));
		h->n = 0;
	}
}

static enum family_id family_of(const char *unit, double *factor)
{
	static const char *const names[] = { "bytes_per_second", "flops", "seconds", "ratio", "celsius", "watts",
					     "hertz", "packets_per_second", "operations_per_second", "bytes" };
	*factor = 1;
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (strcmp(unit, units[i].unit))
			continue;
		*factor = units[i].factor;
		for (int f = 0; f < F_VALUE; f++)
			if (!strcmp(units[i].family, names[f]))
				return (enum family_id)f;
	}
	return F_VALUE;
}

struct anvil_prom *anvil_prom_new(void)
{
	struct anvil_prom *p = calloc(1, sizeof(*p));
	for (int f = 0; f < F_COUNT; f++)
		anvil_spill_init(&p->fam[f]);
	strbuf_init(&p->line);
	strbuf_init(&p->check_line);
	return p;
}

/* A check's labels, "{test=..." without the closing brace. */
static void check_labels(struct strbuf *l, const cJSON *t, const cJSON *c)
{
	int first = 1;
	label(l, "test", s(t, "id"), &first);
	label(l, "check", s(c, "name"), &first);
	label(l, "rule", s(c, "rule"), &first);
	label(l, "host", s(c, "host"), &first);
	extra_labels(l, anvil_jget(c, "labels"), &first);
}

void anvil_prom_check(struct anvil_prom *p, const cJSON *t, const cJSON *c)
{
	p->check_line.len = 0;
	check_labels(&p->check_line, t, c);
	emit_ranked(p, &p->check_line, F_CHECK, c, (double)anvil_verdict_parse(s(c, "verdict")));
}

/* A test's check lines, made as its checks are judged and set aside (past
 * 256 KiB in a temporary file: not a test's worth of them in memory) until
 * the test is written out; a repeated series is looked for within the test,
 * as anvil_prom_test_checks does. */
struct anvil_prom_later {
	struct anvil_spill lines;
	struct hashset seen;
	struct strbuf line;
};

struct anvil_prom_later *anvil_prom_later_new(void)
{
	struct anvil_prom_later *q = calloc(1, sizeof(*q));
	if (!q)
		anvil_out_of_memory();
	anvil_spill_init(&q->lines);
	strbuf_init(&q->line);
	return q;
}

void anvil_prom_later_free(struct anvil_prom_later *q)
{
	if (!q)
		return;
	anvil_spill_release(&q->lines);
	free(q->seen.v);
	strbuf_release(&q->line);
	free(q);
}

void anvil_prom_check_later(struct anvil_prom_later *q, const cJSON *t, const cJSON *c)
{
	q->line.len = 0;
	check_labels(&q->line, t, c);
	if (!unique_line(&q->seen, &q->line, c))
		return;
	sample(&q->lines.buf, F_CHECK, &q->line, (double)anvil_verdict_parse(s(c, "verdict")));
	anvil_spill_flush(&q->lines, 0);
}

void anvil_prom_checks(struct anvil_prom *p, struct anvil_prom_later *q)
{
	if (!q->lines.buf.len && !q->lines.total)
		return;
	if (p->checks_to) {
		if (!p->checks_head) {
			help_type(&p->checks_to->buf, families[F_CHECK].name, families[F_CHECK].help);
			p->checks_head = 1;
		}
		anvil_spill_copy(&q->lines, p->checks_to);
	} else {
		/* the family gathered as any other: the lines through a buffer */
		struct anvil_outfile o;
		anvil_outfile_buffer(&o);
		anvil_spill_copy(&q->lines, &o);
		strbuf_add(&p->fam[F_CHECK].buf, o.buf.buf, o.buf.len);
		strbuf_release(&o.buf);
		anvil_spill_flush(&p->fam[F_CHECK], 0);
	}
	seen_reset(&q->seen);
}

/* The members of a figure its line needs (anvil_jget_many). */
enum { FIG_NAME, FIG_HOST, FIG_UNIT, FIG_LABELS, FIG_VALUE, FIG_N };
static const char *const fig_members[FIG_N] = { "name", "host", "unit", "labels", "value" };

static const char *str_or_empty(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

void anvil_prom_test_figures(struct anvil_prom *p, const cJSON *t)
{
	const cJSON *m;
	int first;
	/* the test's label, the same at the start of each of its lines */
	struct strbuf head = STRBUF_INIT;
	first = 1;
	label(&head, "test", s(t, "id"), &first);
	const char *last_unit = NULL;
	enum family_id f = F_VALUE;
	double factor = 1;
	cJSON_ArrayForEach(m, anvil_jget(t, "metrics")) {
		const cJSON *g[FIG_N];
		anvil_jget_many(m, fig_members, FIG_N, g);
		const char *unit = str_or_empty(g[FIG_UNIT]);
		if (!last_unit || strcmp(unit, last_unit))  /* a test's figures mostly share a unit */
			f = family_of(unit, &factor), last_unit = unit;
		p->line.len = 0;
		strbuf_add(&p->line, head.buf, head.len);
		first = 0;
		label(&p->line, "metric", str_or_empty(g[FIG_NAME]), &first);
		label(&p->line, "host", str_or_empty(g[FIG_HOST]), &first);
		if (f == F_VALUE)
			label(&p->line, "unit", unit, &first);
		extra_labels(&p->line, g[FIG_LABELS], &first);
		emit(p, f, m, cJSON_IsNumber(g[FIG_VALUE]) ? g[FIG_VALUE]->valuedouble * factor : NAN);
	}
	strbuf_release(&head);
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(*verdicts); i++) {
		p->line.len = 0;
		first = 1;
		label(&p->line, "test", s(t, "id"), &first);
		label(&p->line, "verdict", verdicts[i], &first);
		emit(p, F_TEST_VERDICT, NULL, !strcmp(s(t, "verdict"), verdicts[i]));
	}
	p->line.len = 0;
	first = 1;
	label(&p->line, "test", s(t, "id"), &first);
	const cJSON *d = anvil_jget(t, "duration_s");
	emit(p, F_TEST_DURATION, NULL, cJSON_IsNumber(d) ? d->valuedouble : NAN);
	for (int k = 0; k < F_COUNT; k++)
		if (k != F_CHECK)
			seen_reset(&p->seen[k]);
}

void anvil_prom_test_checks(struct anvil_prom *p, const cJSON *t)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, anvil_jget(t, "checks"))
		anvil_prom_check(p, t, c);
	seen_reset(&p->seen[F_CHECK]);
}

void anvil_prom_test(struct anvil_prom *p, const cJSON *t, int checks)
{
	anvil_prom_test_figures(p, t);
	if (checks)
		anvil_prom_test_checks(p, t);
}

static double epoch_of(const char *iso)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NAN;
	return (double)timegm(&tm);
}

/* The run's own families: verdict, checks per verdict, exit code, what it was. */
static void run_families(const cJSON *report, struct strbuf *out)
{
	const cJSON *run = anvil_jget(report, "run");
	const cJSON *sum = anvil_jget(report, "summary");
	int first;
	help_type(out, "anvil_run_verdict", "The run's verdict: 1 for the verdict that holds, 0 for the others.");
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(*verdicts); i++) {
		first = 1;
		strbuf_adds(out, "anvil_run_verdict");
		label(out, "verdict", verdicts[i], &first);
		strbuf_addf(out, "} %d\n", !strcmp(s(report, "verdict"), verdicts[i]));
	}
	help_type(out, "anvil_run_checks", "How many checks of the run have each verdict.");
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(*verdicts); i++) {
		first = 1;
		strbuf_adds(out, "anvil_run_checks");
		label(out, "verdict", verdicts[i], &first);
		strbuf_addch(out, '}');
		number(out, cJSON_GetNumberValue(anvil_jget(sum, verdicts[i])));
	}
	help_type(out, "anvil_run_exit_code", "The exit code of the run's verdict (0 pass, 1 fail, 3 error or incomplete).");
	strbuf_adds(out, "anvil_run_exit_code");
	number(out, cJSON_GetNumberValue(anvil_jget(report, "exit_code")));
	help_type(out, "anvil_run_info", "What was run: the profile, the cluster and the anvil version (always 1).");
	first = 1;
	strbuf_adds(out, "anvil_run_info");
	label(out, "profile", s(run, "profile"), &first);
	label(out, "cluster", s(run, "cluster"), &first);
	label(out, "anvil_version", s(report, "anvil_version"), &first);
	strbuf_adds(out, "} 1\n");
	help_type(out, "anvil_report_timestamp_seconds", "When the report was made, in seconds since the Unix epoch.");
	strbuf_adds(out, "anvil_report_timestamp_seconds");
	number(out, epoch_of(s(report, "generated")));
}

void anvil_prom_checks_to(struct anvil_prom *p, struct anvil_outfile *o)
{
	p->checks_to = o;
}

void anvil_prom_finish(struct anvil_prom *p, const cJSON *report, struct anvil_outfile *o)
{
	for (int k = 0; k < F_COUNT; k++) {
		enum family_id f = family_at(k);
		if (p->fam[f].buf.len || p->fam[f].total) {
			help_type(&o->buf, families[f].name, families[f].help);
			anvil_spill_copy(&p->fam[f], o);
		}
		anvil_spill_release(&p->fam[f]);
		free(p->seen[f].v);
	}
	run_families(report, &o->buf);
	strbuf_release(&p->line);
	strbuf_release(&p->check_line);
	free(p);
}

void anvil_report_prom(const cJSON *report, struct strbuf *out)
{
	struct anvil_outfile o;
	const cJSON *t;
	struct anvil_prom *p = anvil_prom_new();
	cJSON_ArrayForEach(t, anvil_jget(report, "tests"))
		anvil_prom_test(p, t, 1);
	anvil_outfile_buffer(&o);
	o.buf = *out;
	anvil_prom_finish(p, report, &o);
	*out = o.buf;
}
