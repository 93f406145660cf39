#include "runners/sweep.h"
#include <stdio.h>
#include <stdlib.h>

int anvil_sweep_make(struct anvil_sweep *s, size_t min, size_t max, int factor, size_t align)
{
	s->sizes = NULL;
	s->n = 0;
	if (!align)
		align = 1;
	if (min < align)
		min = align;
	if (max < min || factor < 2)
		return -1;
	s->sizes = calloc(130, sizeof(size_t));  /* 2^0 .. 2^64 at factor 2, twice over */
	for (size_t x = min; x < max && s->n < 128; x *= (size_t)factor) {
		size_t v = x / align * align;
		if (!s->n || v != s->sizes[s->n - 1])
			s->sizes[s->n++] = v;
		if (x > max / (size_t)factor)
			break;
	}
	size_t last = max / align * align;
	if (!s->n || s->sizes[s->n - 1] != last)
		s->sizes[s->n++] = last;
	return 0;
}

int anvil_sweep_from_params(struct anvil_sweep *s, const struct anvil_ctx *ctx, size_t align,
			    char *why, size_t len)
{
	long long min = anvil_param_int(ctx, "min_bytes"), max = anvil_param_int(ctx, "max_bytes");
	long long large = anvil_param_int(ctx, "large_bytes");
	s->iters = (long)anvil_param_int(ctx, "iters");
	s->warmup = (long)anvil_param_int(ctx, "warmup");
	s->large_bytes = large > 0 ? (size_t)large : 0;
	s->iters_large = (long)anvil_param_int(ctx, "iters_large");
	s->warmup_large = (long)anvil_param_int(ctx, "warmup_large");
	if (min < 1 || max < min || max > (1LL << 40) || s->iters < 1 || s->warmup < 0 || large < 0) {
		snprintf(why, len, "bad sweep: min_bytes %lld, max_bytes %lld, iters %ld, warmup %ld, large_bytes %lld "
			 "(need 1 <= min <= max <= 1 TiB, iters >= 1, warmup >= 0, large_bytes >= 0)", min, max, s->iters,
			 s->warmup, large);
		return -1;
	}
	if (s->iters_large <= 0)
		s->iters_large = s->iters / 10 > 10 ? s->iters / 10 : (s->iters < 10 ? s->iters : 10);
	if (s->warmup_large <= 0)
		s->warmup_large = s->warmup / 10 > 2 ? s->warmup / 10 : (s->warmup < 2 ? s->warmup : 2);
	return anvil_sweep_make(s, (size_t)min, (size_t)max, 2, align) ? (snprintf(why, len, "bad sweep bounds"), -1) : 0;
}

void anvil_sweep_release(struct anvil_sweep *s)
{
	free(s->sizes);
	s->sizes = NULL;
	s->n = 0;
}

long anvil_sweep_iters(const struct anvil_sweep *s, size_t size)
{
	return s->large_bytes && size >= s->large_bytes ? s->iters_large : s->iters;
}

long anvil_sweep_warmup(const struct anvil_sweep *s, size_t size)
{
	return s->large_bytes && size >= s->large_bytes ? s->warmup_large : s->warmup;
}
