#include "runners/gpu_telemetry.h"

#ifdef ANVIL_HAVE_NVCC
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const columns[ANVIL_TELEMETRY_NCOLS][2] = {
	{ "temperature", "C" }, { "power", "W" }, { "power_limit", "W" }, { "sm_clock", "MHz" },
	{ "mem_clock", "MHz" }, { "pcie_gen", "gen" }, { "pcie_width", "lanes" },
	{ "throttled", "0/1" },          /* thermal or hardware slowdown */
	{ "power_capped", "0/1" },       /* the software power cap: normal at full load */
	{ "ecc_corrected", "errors" }, { "ecc_uncorrected", "errors" },  /* volatile counts */
	{ "clock_reasons", "bits" },     /* NVML's clock-event reason bits, for the record */
};

void anvil_telemetry_start(struct anvil_telemetry *t, const struct anvil_gpu *g)
{
	memset(t, 0, sizeof(*t));
	t->gpu = g;
	t->ecc0.enabled = -1;
	t->ecc0.volatile_corrected = t->ecc0.volatile_uncorrected = -1;
	t->ecc0.aggregate_corrected = t->ecc0.aggregate_uncorrected = -1;
	t->ecc1 = t->ecc0;
	if (g->have_nvml)
		anvil_nvml_ecc(g->nvml, &t->ecc0);
}

void anvil_telemetry_columns(struct anvil_series *s)
{
	for (int i = 0; i < ANVIL_TELEMETRY_NCOLS; i++)
		anvil_series_column(s, columns[i][0], columns[i][1]);
}

static void keep(struct anvil_telemetry *t, const struct anvil_nvml_sample *s)
{
	if (isfinite(s->temp_c))
		t->temp_max = t->ntemp++ ? fmax(t->temp_max, s->temp_c) : s->temp_c;
	if (isfinite(s->power_w)) {
		t->power_sum += s->power_w;
		t->npower++;
	}
	if (isfinite(s->sm_mhz)) {
		t->sm_sum += s->sm_mhz;
		t->nsm++;
	}
	if (s->reasons_ok) {
		t->nreasons++;
		t->reasons_seen |= s->reasons;
		t->throttled += (s->reasons & ANVIL_NVML_REASONS_BAD) != 0;
	}
	if (isfinite(s->pcie_gen) && !(s->pcie_gen <= t->pcie_gen_max))
		t->pcie_gen_max = s->pcie_gen;
	if (isfinite(s->pcie_width) && !(s->pcie_width <= t->pcie_width_max))
		t->pcie_width_max = s->pcie_width;
}

static double count_or_nan(long long v) { return v >= 0 ? (double)v : NAN; }

void anvil_telemetry_sample(struct anvil_telemetry *t, double *row)
{
	struct anvil_nvml_sample s = { NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0, 0 };
	struct anvil_nvml_ecc e = { -1, -1, -1, -1, -1 };
	if (t->gpu->have_nvml) {
		anvil_nvml_sample(t->gpu->nvml, &s);
		anvil_nvml_ecc(t->gpu->nvml, &e);
		keep(t, &s);
	}
	double v[ANVIL_TELEMETRY_NCOLS] = {
		s.temp_c, s.power_w, s.power_limit_w, s.sm_mhz, s.mem_mhz, s.pcie_gen, s.pcie_width,
		s.reasons_ok ? (double)((s.reasons & ANVIL_NVML_REASONS_BAD) != 0) : NAN,
		s.reasons_ok ? (double)((s.reasons & ANVIL_NVML_REASON_SW_POWER_CAP) != 0) : NAN,
		count_or_nan(e.volatile_corrected), count_or_nan(e.volatile_uncorrected),
		s.reasons_ok ? (double)s.reasons : NAN,
	};
	memcpy(row, v, sizeof(v));
}

static cJSON *ecc_json(const struct anvil_nvml_ecc *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "volatile_corrected", (double)e->volatile_corrected);
	cJSON_AddNumberToObject(o, "volatile_uncorrected", (double)e->volatile_uncorrected);
	cJSON_AddNumberToObject(o, "aggregate_corrected", (double)e->aggregate_corrected);
	cJSON_AddNumberToObject(o, "aggregate_uncorrected", (double)e->aggregate_uncorrected);
	return o;
}

/* New uncorrected errors: the larger of the volatile and aggregate deltas. */
static void emit_ecc(struct anvil_ctx *ctx, const struct anvil_telemetry *t, cJSON *info, cJSON *notes)
{
	const struct anvil_nvml_ecc *a = &t->ecc0, *b = &t->ecc1;
	cJSON *ecc = cJSON_AddObjectToObject(info, "ecc");
	cJSON_AddItemToObject(ecc, "before", ecc_json(a));
	cJSON_AddItemToObject(ecc, "after", ecc_json(b));
	long long dv = a->volatile_uncorrected >= 0 && b->volatile_uncorrected >= 0 ?
		       b->volatile_uncorrected - a->volatile_uncorrected : -1;
	long long da = a->aggregate_uncorrected >= 0 && b->aggregate_uncorrected >= 0 ?
		       b->aggregate_uncorrected - a->aggregate_uncorrected : -1;
	if (dv < 0 && da < 0) {
		cJSON_AddItemToArray(notes, cJSON_CreateString(b->enabled == 0 ? "ECC is off: no ECC counters to check"
						: "ECC counters unreadable through NVML: not checked"));
		return;
	}
	long long d = dv > da ? dv : da;
	char why[200];
	snprintf(why, sizeof(why), "%lld new uncorrected ECC error(s) during the run (volatile %+lld, aggregate %+lld)",
		 d, dv, da);
	anvil_emit_check(ctx, "ecc_uncorrected", d == 0, (double)d, 0, why);
}

static void emit_throttle(struct anvil_ctx *ctx, const struct anvil_telemetry *t, cJSON *notes)
{
	char why[400], reasons[200];
	if (!t->nreasons) {
		cJSON_AddItemToArray(notes, cJSON_CreateString("clock-event (throttle) reasons unreadable: not checked"));
		return;
	}
	anvil_nvml_reasons_text(t->reasons_seen, reasons, sizeof(reasons));
	snprintf(why, sizeof(why), "%d of %d samples with thermal or hardware slowdown; reasons seen: %s",
		 t->throttled, t->nreasons, reasons);
	anvil_emit_check(ctx, "throttle", t->throttled == 0, t->throttled, 0, why);
}

/* The link under load against what the GPU and its slot allow (NVML's max
 * link: the lower of the GPU's and the system's). An idle GPU lowers its
 * link generation to save power, so the best sample counts. */
static void emit_pcie(struct anvil_ctx *ctx, const struct anvil_telemetry *t, cJSON *notes)
{
	char why[300];
	cJSON *facts = anvil_nvml_facts(t->gpu->nvml, 0);
	double gmax = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(facts, "pcie_max_gen"));
	double wmax = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(facts, "pcie_max_width"));
	cJSON_Delete(facts);
	if (!(t->pcie_gen_max > 0 && t->pcie_width_max > 0 && gmax > 0 && wmax > 0)) {
		cJSON_AddItemToArray(notes, cJSON_CreateString("PCIe link generation/width unreadable: not checked"));
		return;
	}
	anvil_emit_metric(ctx, "pcie_gen", t->pcie_gen_max, "gen", ANVIL_HIGHER);
	anvil_emit_metric(ctx, "pcie_width", t->pcie_width_max, "lanes", ANVIL_HIGHER);
	snprintf(why, sizeof(why), "PCIe link under load at best Gen%g x%g; the GPU and slot allow Gen%g x%g",
		 t->pcie_gen_max, t->pcie_width_max, gmax, wmax);
	anvil_emit_check(ctx, "pcie_link_gen", t->pcie_gen_max >= gmax, t->pcie_gen_max, gmax, why);
	anvil_emit_check(ctx, "pcie_link_width", t->pcie_width_max >= wmax, t->pcie_width_max, wmax, why);
}

void anvil_telemetry_emit(struct anvil_ctx *ctx, struct anvil_telemetry *t, cJSON *info, cJSON *notes)
{
	if (!t->gpu->have_nvml) {
		char n[320];
		snprintf(n, sizeof(n), "telemetry unavailable (%s): no temperature, power, throttle, ECC or PCIe checks",
			 t->gpu->nvml_why);
		cJSON_AddItemToArray(notes, cJSON_CreateString(n));
		return;
	}
	anvil_nvml_ecc(t->gpu->nvml, &t->ecc1);
	if (t->ntemp)
		anvil_emit_metric(ctx, "temp_max_c", t->temp_max, "C", ANVIL_LOWER);
	if (t->npower)
		anvil_emit_metric(ctx, "power_mean_w", t->power_sum / t->npower, "W", ANVIL_HIGHER);
	if (t->nsm)
		anvil_emit_metric(ctx, "sm_clock_mean_mhz", t->sm_sum / t->nsm, "MHz", ANVIL_NEUTRAL);
	emit_ecc(ctx, t, info, notes);
	emit_throttle(ctx, t, notes);
	emit_pcie(ctx, t, notes);
}
#endif
