/* bed_probe — a tiny MPI program for the multi-host test bed's own tests.
 *
 *   bed_probe hello         every rank's hostname (gathered to rank 0) and an
 *                           MPI_Allreduce check
 *   bed_probe bw BYTES      rank 0 <-> each other rank in turn: time to send
 *                           BYTES each way (one direction at a time)
 *   bed_probe spin ITERS    each rank in turn runs a CPU-bound loop and
 *                           times it (wall clock)
 *
 * Rank 0 prints one line per result, "key=value" words.  Ranks that are not
 * taking part wait in a sleeping barrier (MPI_Ibarrier + MPI_Test + sleep),
 * so that they do not eat the CPU that the measured ranks need: all "hosts"
 * of the bed share this machine's cores. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOSTLEN 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleepy_barrier(void)
{
    MPI_Request req;
    int done = 0;
    struct timespec ms = {0, 1000000};
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    for (;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done)
            break;
        nanosleep(&ms, NULL);
    }
}

/* A send/receive pair that sleeps while waiting, for the same reason. */
static void sleepy_wait(MPI_Request *req)
{
    int done = 0;
    struct timespec us = {0, 100000};
    for (;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        nanosleep(&us, NULL);
    }
}

static volatile double sink;

static void spin(long iters)
{
    double x = 1.0;
    for (long i = 0; i < iters; i++)
        x = x * 1.0000001 + 1e-9;
    sink = x;
}

int main(int argc, char **argv)
{
    int rank, size;
    char host[HOSTLEN] = {0};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    gethostname(host, sizeof host - 1);
    const char *mode = argc > 1 ? argv[1] : "hello";

    char *hosts = malloc((size_t)size * HOSTLEN);
    MPI_Gather(host, HOSTLEN, MPI_CHAR, hosts, HOSTLEN, MPI_CHAR, 0, MPI_COMM_WORLD);
    int rc = 0;

    if (strcmp(mode, "hello") == 0) {
        long one = 1, mine = rank, n = 0, sum = 0;
        MPI_Allreduce(&one, &n, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
        if (n != size || sum != (long)size * (size - 1) / 2)
            rc = 1;
        if (rank == 0) {
            for (int r = 0; r < size; r++)
                printf("hello rank=%d size=%d host=%s\n", r, size, hosts + (size_t)r * HOSTLEN);
            printf("allreduce count=%ld sum=%ld %s\n", n, sum, rc ? "FAIL" : "ok");
        }
    } else if (strcmp(mode, "bw") == 0) {
        long bytes = argc > 2 ? atol(argv[2]) : 8L << 20;
        char *buf = calloc((size_t)bytes, 1);
        char ack = 0;
        MPI_Request req;
        for (int r = 1; r < size; r++) {
            for (int dir = 0; dir < 2; dir++) { /* 0: rank 0 -> r, 1: r -> rank 0 */
                int src = dir ? r : 0, dst = dir ? 0 : r;
                sleepy_barrier();
                double t0 = now();
                if (rank == src) {
                    MPI_Isend(buf, (int)bytes, MPI_CHAR, dst, 1, MPI_COMM_WORLD, &req);
                    sleepy_wait(&req);
                    MPI_Irecv(&ack, 1, MPI_CHAR, dst, 2, MPI_COMM_WORLD, &req);
                    sleepy_wait(&req);
                } else if (rank == dst) {
                    MPI_Irecv(buf, (int)bytes, MPI_CHAR, src, 1, MPI_COMM_WORLD, &req);
                    sleepy_wait(&req);
                    MPI_Isend(&ack, 1, MPI_CHAR, src, 2, MPI_COMM_WORLD, &req);
                    sleepy_wait(&req);
                }
                double t = now() - t0;
                if (rank == 0)
                    printf("bw peer=%d host=%s dir=%s bytes=%ld seconds=%.4f mbit_s=%.1f\n", r,
                           hosts + (size_t)r * HOSTLEN, dir ? "from" : "to", bytes, t,
                           bytes * 8.0 / t / 1e6);
            }
        }
        free(buf);
    } else if (strcmp(mode, "spin") == 0) {
        long iters = argc > 2 ? atol(argv[2]) : 200000000L;
        double mine = 0, *all = malloc(sizeof(double) * (size_t)size);
        for (int r = 0; r < size; r++) {
            sleepy_barrier();
            if (rank == r) {
                double t0 = now();
                spin(iters);
                mine = now() - t0;
            }
        }
        MPI_Gather(&mine, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        if (rank == 0)
            for (int r = 0; r < size; r++)
                printf("spin rank=%d host=%s iters=%ld seconds=%.4f\n", r,
                       hosts + (size_t)r * HOSTLEN, iters, all[r]);
        free(all);
    } else {
        if (rank == 0)
            fprintf(stderr, "bed_probe: unknown mode '%s' (hello | bw BYTES | spin ITERS)\n", mode);
        rc = 2;
    }
    free(hosts);
    fflush(stdout);
    MPI_Finalize();
    return rc;
}
