#include "runners/io_util.h"
#include "runners/runner.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

double anvil_io_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

struct anvil_io_span anvil_io_span_empty(void)
{
	return (struct anvil_io_span){ .start = INFINITY, .end = -INFINITY };
}

void anvil_io_span_merge(struct anvil_io_span *acc, const struct anvil_io_span *s)
{
	if (s->start < acc->start)
		acc->start = s->start;
	if (s->end > acc->end)
		acc->end = s->end;
	for (int d = 0; d < 2; d++) {
		acc->bytes[d] += s->bytes[d];
		acc->ops[d] += s->ops[d];
	}
}

double anvil_io_span_window(const struct anvil_io_span *s)
{
	double w = s->end - s->start;
	return isfinite(w) && w > 0 ? w : 0;
}

void anvil_io_span_reduce(const struct anvil_io_span *mine, struct anvil_io_span *out, int root,
			  MPI_Comm comm)
{
	double sums[4] = { mine->bytes[0], mine->bytes[1], mine->ops[0], mine->ops[1] }, tot[4];
	MPI_Reduce(&mine->start, &out->start, 1, MPI_DOUBLE, MPI_MIN, root, comm);
	MPI_Reduce(&mine->end, &out->end, 1, MPI_DOUBLE, MPI_MAX, root, comm);
	MPI_Reduce(sums, tot, 4, MPI_DOUBLE, MPI_SUM, root, comm);
	out->bytes[0] = tot[0];
	out->bytes[1] = tot[1];
	out->ops[0] = tot[2];
	out->ops[1] = tot[3];
}

long long anvil_io_cap_size(long long want, long long files, int sharers, double fraction,
			    double free_bytes, long long align)
{
	if (align < 1)
		align = 1;
	if (fraction <= 0)
		return want;
	if (files < 1)
		files = 1;
	if (sharers < 1)
		sharers = 1;
	double allowed = fraction * free_bytes / ((double)files * sharers);
	if ((double)want <= allowed)
		return want;
	long long cap = (long long)floor(allowed / (double)align) * align;
	return cap > 0 ? cap : 0;
}

int anvil_io_free_bytes(const char *dir, double *free_bytes, char *why, size_t len)
{
	struct statvfs st;
	if (statvfs(dir, &st) != 0) {
		snprintf(why, len, "%s: cannot read free space: %s", dir, strerror(errno));
		return -1;
	}
	*free_bytes = (double)st.f_bavail * (double)st.f_frsize;
	return 0;
}

int anvil_io_agree(MPI_Comm comm, int ok)
{
	int all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
	return all;
}

int anvil_io_node_order(const struct anvil_ctx *ctx, int size, int *order, int *pos)
{
	int n = 0, ppn = 0, maxnode = 0;
	for (int r = 0; r < size; r++)
		maxnode = anvil_ctx_node_of(ctx, r) > maxnode ? anvil_ctx_node_of(ctx, r) : maxnode;
	for (int node = 0; node <= maxnode; node++) {
		int here = 0;
		for (int r = 0; r < size; r++)
			if (anvil_ctx_node_of(ctx, r) == node) {
				pos[r] = n;
				order[n++] = r;
				here++;
			}
		ppn = here > ppn ? here : ppn;
	}
	return ppn;
}

int anvil_io_site(const struct anvil_ctx *ctx, MPI_Comm comm, const char *tag, int ok,
		  double *free_bytes, char *path, size_t len, char *why, size_t wlen)
{
	const char *dir = anvil_param_str(ctx, "dir");
	int rank;
	MPI_Comm_rank(comm, &rank);
	*free_bytes = 0;
	if (ok && rank == 0 && anvil_io_free_bytes(dir, free_bytes, why, wlen))
		ok = 0;
	if (ok && rank == 0)
		snprintf(path, len, "%s/anvil-%s.%s.%ld", dir, tag, anvil_ctx_host_of(ctx, 0), (long)getpid());
	if (!anvil_io_agree(comm, ok)) {
		path[0] = '\0';
		return -1;
	}
	MPI_Bcast(free_bytes, 1, MPI_DOUBLE, 0, comm);
	MPI_Bcast(path, (int)len, MPI_CHAR, 0, comm);
	return 0;
}
