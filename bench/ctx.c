#include "bench/ctx.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "common/sort.h"

double anvil_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

cJSON *anvil_record_new(const char *kind, const char *test, const char *host, int rank)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "kind", kind);
	if (test)
		cJSON_AddStringToObject(r, "test", test);
	if (host)
		cJSON_AddStringToObject(r, "host", host);
	if (rank >= 0)
		cJSON_AddNumberToObject(r, "rank", rank);
	cJSON_AddNumberToObject(r, "t", floor(anvil_now() * 1000) / 1000);
	return r;
}

int anvil_ctx_init(struct anvil_ctx *ctx, const struct anvil_world *w,
		   const struct anvil_runner *r, const char *test, MPI_Comm comm,
		   const cJSON *params, double timeout_s, int threads)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->world = w;
	ctx->runner = r;
	ctx->test = test;
	ctx->comm = comm;
	MPI_Comm_rank(comm, &ctx->rank);
	MPI_Comm_size(comm, &ctx->size);
	ctx->node_of = malloc((size_t)ctx->size * sizeof(int));
	ctx->records = cJSON_CreateArray();
	ctx->labels = cJSON_CreateObject();
	if (!ctx->node_of || !ctx->records || !ctx->labels)
		return -1;
	MPI_Allgather(&w->node, 1, MPI_INT, ctx->node_of, 1, MPI_INT, comm);
	ctx->params = params;
	ctx->threads = threads > 0 ? threads : 1;
	ctx->deadline = MPI_Wtime() + (timeout_s > 0 ? timeout_s : 1e9);
	return 0;
}

void anvil_ctx_release(struct anvil_ctx *ctx)
{
	free(ctx->node_of);
	cJSON_Delete(ctx->records);
	cJSON_Delete(ctx->labels);
	memset(ctx, 0, sizeof(*ctx));
}

cJSON *anvil_ctx_take_records(struct anvil_ctx *ctx)
{
	cJSON *r = ctx->records;
	ctx->records = cJSON_CreateArray();
	return r;
}

MPI_Comm anvil_ctx_comm(const struct anvil_ctx *ctx) { return ctx->comm; }
int anvil_ctx_rank(const struct anvil_ctx *ctx) { return ctx->rank; }
int anvil_ctx_size(const struct anvil_ctx *ctx) { return ctx->size; }
const struct anvil_world *anvil_ctx_world(const struct anvil_ctx *ctx) { return ctx->world; }
int anvil_ctx_world_rank(const struct anvil_ctx *ctx) { return ctx->world->rank; }
int anvil_ctx_local_rank(const struct anvil_ctx *ctx) { return ctx->world->local_rank; }
int anvil_ctx_local_size(const struct anvil_ctx *ctx) { return ctx->world->local_size; }
int anvil_ctx_node_of(const struct anvil_ctx *ctx, int rank)
{
	return rank >= 0 && rank < ctx->size ? ctx->node_of[rank] : -1;
}
const char *anvil_ctx_test(const struct anvil_ctx *ctx) { return ctx->test; }
const char *anvil_ctx_host_of(const struct anvil_ctx *ctx, int rank)
{
	int node = anvil_ctx_node_of(ctx, rank);
	return node >= 0 ? ctx->world->hostnames[node] : "?";
}
int anvil_ctx_threads(const struct anvil_ctx *ctx) { return ctx->threads; }
double anvil_ctx_time_left(const struct anvil_ctx *ctx) { return ctx->deadline - MPI_Wtime(); }

const cJSON *anvil_param_json(const struct anvil_ctx *ctx, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(ctx->params, key);
}

long long anvil_param_int(const struct anvil_ctx *ctx, const char *key)
{
	const cJSON *v = anvil_param_json(ctx, key);
	/* the plan holds whole numbers to +-2^53; this cast can never overflow */
	return cJSON_IsNumber(v) && fabs(v->valuedouble) < 9.2e18 ? (long long)v->valuedouble : 0;
}

double anvil_param_double(const struct anvil_ctx *ctx, const char *key)
{
	const cJSON *v = anvil_param_json(ctx, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *anvil_param_str(const struct anvil_ctx *ctx, const char *key)
{
	const cJSON *v = anvil_param_json(ctx, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int anvil_param_bool(const struct anvil_ctx *ctx, const char *key)
{
	const cJSON *v = anvil_param_json(ctx, key);
	return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

enum anvil_status anvil_ctx_fail(struct anvil_ctx *ctx, enum anvil_status status,
				 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->why, sizeof(ctx->why), fmt, ap);
	va_end(ap);
	return status;
}

void anvil_ctx_label(struct anvil_ctx *ctx, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(ctx->labels, key);
	if (value)
		cJSON_AddStringToObject(ctx->labels, key, value);
}

static cJSON *ctx_record(struct anvil_ctx *ctx, const char *kind, const char *name)
{
	cJSON *r = anvil_record_new(kind, ctx->test, anvil_world_hostname(ctx->world),
				    ctx->world->rank);
	cJSON_AddStringToObject(r, "runner", ctx->runner->name);
	if (ctx->labels->child)
		cJSON_AddItemToObject(r, "labels", cJSON_Duplicate(ctx->labels, 1));
	if (name)
		cJSON_AddStringToObject(r, "name", name);
	cJSON_AddItemToArray(ctx->records, r);
	return r;
}

/* JSON has no NaN: a figure that could not be measured is null. */
static void add_number(cJSON *obj, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(obj, key, v);
	else
		cJSON_AddNullToObject(obj, key);
}

static cJSON *metric_record(struct anvil_ctx *ctx, const char *name, double value,
			    const char *unit, enum anvil_better better)
{
	cJSON *r = ctx_record(ctx, "metric", name);
	add_number(r, "value", value);
	cJSON_AddStringToObject(r, "unit", unit ? unit : "");
	cJSON_AddStringToObject(r, "better", better > 0 ? "higher" : better < 0 ? "lower" : "none");
	return r;
}

void anvil_emit_metric(struct anvil_ctx *ctx, const char *name, double value,
		       const char *unit, enum anvil_better better)
{
	metric_record(ctx, name, value, unit, better);
}

/* The chosen summary of the finite samples (sorted in place); NAN when none. */
static double summary_of(double *v, int n, enum anvil_better better, enum anvil_stat stat)
{
	if (n <= 0)
		return NAN;
	anvil_sort_doubles(v, (size_t)n);
	if (stat == ANVIL_STAT_MEDIAN)
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	if (stat == ANVIL_STAT_MEAN) {
		double sum = 0;
		for (int i = 0; i < n; i++)
			sum += v[i];
		return sum / n;
	}
	return better < 0 ? v[0] : v[n - 1];
}

void anvil_emit_metric_samples(struct anvil_ctx *ctx, const char *name, const double *samples, int n,
			       const char *unit, enum anvil_better better, enum anvil_stat stat)
{
	static const char *const stat_names[] = { "best", "median", "mean" };
	double *v = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), sum = 0, sq = 0;
	cJSON *list = cJSON_CreateArray();
	int k = 0;
	for (int i = 0; i < n && k < ANVIL_MAX_SAMPLES; i++) {
		if (!isfinite(samples[i]))
			continue;
		cJSON_AddItemToArray(list, cJSON_CreateNumber(samples[i]));
		v[k++] = samples[i];
		sum += samples[i];
	}
	for (int i = 0; i < k; i++)
		sq += (v[i] - sum / k) * (v[i] - sum / k);
	double value = summary_of(v, k, better, stat);
	free(v);
	cJSON *r = metric_record(ctx, name, value, unit, better);
	cJSON_AddStringToObject(r, "stat", stat_names[stat]);
	cJSON_AddItemToObject(r, "samples", list);
	add_number(r, "stddev", k > 1 ? sqrt(sq / (k - 1)) : NAN);
}

void anvil_emit_check(struct anvil_ctx *ctx, const char *name, int ok, double value,
		      double limit, const char *why)
{
	cJSON *r = ctx_record(ctx, "check", name);
	cJSON_AddBoolToObject(r, "ok", ok);
	add_number(r, "value", value);
	add_number(r, "limit", limit);
	if (why)
		cJSON_AddStringToObject(r, "why", why);
}

void anvil_emit_info(struct anvil_ctx *ctx, cJSON *info)
{
	cJSON *r = ctx_record(ctx, "info", NULL);
	cJSON_AddItemToObject(r, "info", info ? info : cJSON_CreateObject());
}

struct anvil_series {
	struct anvil_ctx *ctx;
	cJSON *rec;       /* owned until emitted */
	cJSON *columns, *rows;
	int ncols;
};

struct anvil_series *anvil_series_new(struct anvil_ctx *ctx, const char *name,
				      const char *x_name, const char *x_unit)
{
	struct anvil_series *s = calloc(1, sizeof(*s));
	s->ctx = ctx;
	s->rec = anvil_record_new("series", ctx->test, anvil_world_hostname(ctx->world),
				  ctx->world->rank);
	cJSON_AddStringToObject(s->rec, "runner", ctx->runner->name);
	if (ctx->labels->child)
		cJSON_AddItemToObject(s->rec, "labels", cJSON_Duplicate(ctx->labels, 1));
	cJSON_AddStringToObject(s->rec, "name", name);
	cJSON *x = cJSON_AddObjectToObject(s->rec, "x");
	cJSON_AddStringToObject(x, "name", x_name);
	cJSON_AddStringToObject(x, "unit", x_unit ? x_unit : "");
	s->columns = cJSON_AddArrayToObject(s->rec, "columns");
	s->rows = cJSON_AddArrayToObject(s->rec, "rows");
	return s;
}

void anvil_series_column(struct anvil_series *s, const char *name, const char *unit)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "unit", unit ? unit : "");
	cJSON_AddItemToArray(s->columns, c);
	s->ncols++;
}

void anvil_series_row(struct anvil_series *s, double x, const double *values)
{
	cJSON *row = cJSON_CreateArray();
	cJSON_AddItemToArray(row, isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull());
	for (int i = 0; i < s->ncols; i++)
		cJSON_AddItemToArray(row, isfinite(values[i]) ? cJSON_CreateNumber(values[i])
							       : cJSON_CreateNull());
	cJSON_AddItemToArray(s->rows, row);
}

void anvil_series_emit(struct anvil_series *s)
{
	cJSON_AddItemToArray(s->ctx->records, s->rec);
	free(s);
}
