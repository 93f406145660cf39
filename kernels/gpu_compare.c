#include "kernels/gpu_compare.h"
#include <stdio.h>
#include <string.h>

static const char *const prec_names[ANVIL_PREC_COUNT] = { "fp64", "fp32", "tf32", "bf16", "fp16" };

const char *anvil_prec_name(enum anvil_prec p)
{
	return (unsigned)p < ANVIL_PREC_COUNT ? prec_names[p] : NULL;
}

int anvil_prec_parse(const char *s, char *why, size_t len)
{
	for (int p = 0; p < ANVIL_PREC_COUNT; p++)
		if (s && !strcmp(s, prec_names[p]))
			return p;
	snprintf(why, len, "unknown precision \"%s\" (known: fp64, fp32, tf32, bf16, fp16)", s ? s : "");
	return -1;
}

int anvil_prec_list(const char *s, enum anvil_prec *out, char *why, size_t len)
{
	char buf[128];
	int n = 0;
	if (!s || strlen(s) >= sizeof(buf)) {
		snprintf(why, len, "precisions \"%s\": expected a comma-separated list such as \"fp64,bf16\"",
			 s ? s : "");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int p = anvil_prec_parse(tok, why, len);
		if (p < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (out[i] == (enum anvil_prec)p) {
				snprintf(why, len, "precisions \"%s\": %s is named twice", s, tok);
				return -1;
			}
		out[n++] = (enum anvil_prec)p;
	}
	if (!n) {
		snprintf(why, len, "precisions \"%s\" names none (known: fp64, fp32, tf32, bf16, fp16)", s);
		return -1;
	}
	return n;
}

size_t anvil_burn_count(const void *ref, const void *got, size_t count, enum anvil_prec p,
			double scale)
{
	double rel, abs_tol;
	size_t bad = 0;
	anvil_burn_tol(p, scale, &rel, &abs_tol);
	for (size_t i = 0; i < count; i++)
		bad += (size_t)anvil_differs(anvil_prec_load(ref, i, p), anvil_prec_load(got, i, p), rel, abs_tol);
	return bad;
}
