/*
 * What the I/O runners (fio-*, mdtest, mpiio-shared) share: the aggregate
 * time window across nodes, the cap on file sizes, free space.
 *
 * Clocks. Every rank measures on its own clock, relative to the moment it
 * left a barrier common to all (t_ref, taken right after MPI_Barrier): a
 * span [start, end] is "seconds after the barrier". Offsets between the
 * nodes' clocks cancel, so no NTP quality is assumed and MPI_WTIME_IS_GLOBAL
 * (false in OpenMPI) is not needed; the error is the skew with which ranks
 * leave the barrier, microseconds on a cluster network.
 *
 * Aggregate rate = everything moved / (latest end - earliest start): the
 * time the file system was busy serving all nodes together. It is not the
 * sum of per-node rates, which would credit nodes that ran at different
 * times with running at once.
 */
#ifndef ANVIL_IO_UTIL_H
#define ANVIL_IO_UTIL_H
#include <mpi.h>
#include <stddef.h>

enum { ANVIL_IO_READ = 0, ANVIL_IO_WRITE = 1 };

struct anvil_io_span {
	double start, end;    /* s after the common barrier, on this rank's clock */
	double bytes[2];      /* [ANVIL_IO_READ], [ANVIL_IO_WRITE] */
	double ops[2];        /* I/O operations (or metadata items) done */
};

/* acc := the span covering acc and s, with the amounts added. An empty acc
 * (from anvil_io_span_empty) takes s as it is. */
void anvil_io_span_merge(struct anvil_io_span *acc, const struct anvil_io_span *s);
struct anvil_io_span anvil_io_span_empty(void);
/* end - start, or 0 for an empty or reversed span. */
double anvil_io_span_window(const struct anvil_io_span *s);
/* The same merge over comm, result on root (collective; valid on root only). */
void anvil_io_span_reduce(const struct anvil_io_span *mine, struct anvil_io_span *out, int root,
			  MPI_Comm comm);

/* Bytes per file when `files` files on each of `sharers` nodes may take at
 * most `fraction` of `free_bytes` together: `want` when it fits, else the
 * largest multiple of `align` that does; 0 when not even one align fits.
 * fraction <= 0 means no cap. */
long long anvil_io_cap_size(long long want, long long files, int sharers, double fraction,
			    double free_bytes, long long align);
/* Free bytes for an unprivileged user (statvfs f_bavail * f_frsize).
 * 0, or -1 with why. */
int anvil_io_free_bytes(const char *dir, double *free_bytes, char *why, size_t len);

/* Wall-clock seconds since the epoch (gettimeofday: the clock fio's own
 * timestamps use). */
double anvil_io_now(void);

/* The ranks of ctx's communicator (size of them) by node, in node order,
 * each node's in rank order: where mdtest -N and IOR -C find "the same
 * place on the next node". order[size]: the ranks; pos[size]: each rank's
 * place in order. Returns the most ranks on one node. */
struct anvil_ctx;
int anvil_io_node_order(const struct anvil_ctx *ctx, int size, int *order, int *pos);

/* Where an MPI I/O runner (mdtest, mpiio-shared) works: the free space of
 * its "dir" parameter as rank 0 sees it, and a name there unique to this run,
 * DIR/anvil-TAG.HOST0.PID (nothing is created). ok is this rank's verdict on
 * its own set-up so far. Collective over comm; returns 0 with *free_bytes and
 * path the same on every rank, or -1 on every rank when a rank was not ok or
 * rank 0 cannot read the free space (why set on that rank). */
int anvil_io_site(const struct anvil_ctx *ctx, MPI_Comm comm, const char *tag, int ok,
		  double *free_bytes, char *path, size_t len, char *why, size_t wlen);

/* MPI_Allreduce(MIN) of a flag: 1 when every rank of comm says 1. */
int anvil_io_agree(MPI_Comm comm, int ok);

#endif
