#!/usr/bin/env python3
"""A synthetic journal of a large run, for tests/perf/report-scale.

It holds what the real runners record (same record kinds, names, units,
labels, series columns and sizes; see runners/*.c), for NODES nodes of
2 x AMD EPYC 9654 and GPUS x H100 SXM5 each, with every production runner:
cpu-dgemm, stream, hpl (per node), gpu-dgemm, gpu-hpl, gpu-stream, gpu-burn
(per GPU), the seven NCCL collectives, mpi-pingpong, mpi-allreduce,
hpl-cluster (whole job) and the six RDMA runners (node pairs).

RDMA pairs: the dispatcher runs every pair, n(n-1)/2 = 523,776 pairs for
1024 nodes, each recorded from both ends; that is about 1 M records per RDMA
runner and several GB of journal, far past what any report can read in
seconds. The journal models PAIR_ROUNDS rounds of the circle schedule instead
(each round: every node with one partner, both directions), and says so.

A few faults are planted so the report has failing items to show: slow GPUs,
a slow node, ECC errors on one GPU, a slow link. Values come from a fixed seed,
so the journal is the same bytes every time.

usage: report_scale_gen.py OUTDIR [--nodes 1024] [--gpus 8] [--pair-rounds 8]
"""
import argparse
import json
import os
import random

T0 = 1790000000.0


class Journal:
    def __init__(self, path):
        self.f = open(path, "w")
        self.seq = 0
        self.t = T0

    def put(self, rec):
        self.f.write('{"v":1,"seq":%d,' % self.seq + json.dumps(rec, separators=(",", ":"))[1:] + "\n")
        self.seq += 1

    def close(self):
        self.f.close()


def circle_round(n, r):
    """bench/pairs.c's round-robin (circle) schedule for n even: partner of every node in round r."""
    def seat(k):
        return 0 if k == 0 else (k - 1 + r) % (n - 1) + 1
    partner = [0] * n
    for i in range(n // 2):
        a, b = seat(i), seat(n - 1 - i)
        partner[a], partner[b] = b, a
    return partner


def profile_doc():
    checks = [
        {"test": "cpu-dgemm", "metric": "gflops", "rule": "peak", "peak": "cpu.fp64_gflops", "min": 0.5, "warn": 0.6},
        {"test": "cpu-dgemm", "metric": "gflops", "rule": "peers", "min": 0.9, "warn": 0.93},
        {"test": "stream", "metric": "triad_gbs", "rule": "peak", "peak": "cpu.mem_bw_gbs", "min": 0.6, "warn": 0.65},
        {"test": "stream", "metric": "triad_gbs", "rule": "mad", "k": 3.5, "min_dev": 0.03},
        {"test": "hpl", "metric": "gflops", "rule": "peers", "min": 0.9},
        {"test": "gpu-dgemm", "metric": "fp64_tflops", "rule": "peak", "peak": "gpu.fp64_tensor_tflops", "min": 0.7, "warn": 0.75},
        {"test": "gpu-dgemm", "metric": "fp64_tflops", "rule": "peers", "min": 0.9, "warn": 0.95},
        {"test": "gpu-dgemm", "metric": "bf16_tflops", "rule": "peak", "peak": "gpu.bf16_tflops", "min": 0.6},
        {"test": "gpu-dgemm", "metric": "bf16_tflops", "rule": "mad", "k": 3.5, "min_dev": 0.03},
        {"test": "gpu-hpl", "metric": "tflops", "rule": "peers", "min": 0.9},
        {"test": "gpu-stream", "metric": "triad_gbs", "rule": "peak", "peak": "gpu.mem_bw_gbs", "min": 0.8, "warn": 0.85},
        {"test": "gpu-stream", "metric": "triad_gbs", "rule": "mad", "k": 3.5, "min_dev": 0.03},
        {"test": "gpu-burn", "metric": "tflops", "rule": "peers", "min": 0.9},
        {"test": "gpu-burn", "metric": "temp_max_c", "rule": "absolute", "max": 87, "warn": 83},
        {"test": "gpu-burn", "metric": "cv", "rule": "absolute", "max": 5},
        {"test": "nccl-allreduce", "metric": "busbw_gbs", "rule": "absolute", "min": 350},
        {"test": "nccl-alltoall", "metric": "busbw_gbs", "rule": "absolute", "min": 40},
        {"test": "mpi-pingpong", "metric": "latency_us", "rule": "absolute", "max": 5},
        {"test": "mpi-allreduce", "metric": "busbw_gbs", "rule": "absolute", "min": 1},
        {"test": "hpl-cluster", "metric": "gflops", "rule": "peak", "peak": "cluster.cpu.fp64_gflops", "min": 0.5},
        {"test": "rdma-write-bw", "metric": "link_fraction", "rule": "absolute", "min": 0.9, "warn": 0.93},
        {"test": "rdma-read-bw", "metric": "link_fraction", "rule": "absolute", "min": 0.9},
        {"test": "rdma-send-bw", "metric": "link_fraction", "rule": "absolute", "min": 0.9},
        {"test": "rdma-write-lat", "metric": "latency_us", "rule": "absolute", "max": 3},
        {"test": "rdma-read-lat", "metric": "latency_us", "rule": "mad", "k": 3.5, "min_dev": 0.03},
        {"test": "rdma-send-lat", "metric": "latency_us", "rule": "peers", "max": 1.5},
    ]
    tests = [{"runner": r} for r in RUNNERS]
    return {"schema": "anvil-profile/1", "name": "scale", "description": "report-scale: every runner, install-like checks",
            "tests": tests, "checks": checks, "baseline": {"tolerance": 0.05, "k": 3}}


RUNNERS = [
    ("cpu-dgemm", "per-node"), ("stream", "per-node"), ("hpl", "per-node"),
    ("gpu-dgemm", "per-rank"), ("gpu-hpl", "per-rank"), ("gpu-stream", "per-rank"), ("gpu-burn", "per-rank"),
    ("nccl-allreduce", "all"), ("nccl-allgather", "all"), ("nccl-reducescatter", "all"), ("nccl-broadcast", "all"),
    ("nccl-reduce", "all"), ("nccl-alltoall", "all"), ("nccl-sendrecv", "all"),
    ("mpi-pingpong", "all"), ("mpi-allreduce", "all"), ("hpl-cluster", "all"),
    ("rdma-write-bw", "pairs"), ("rdma-read-bw", "pairs"), ("rdma-send-bw", "pairs"),
    ("rdma-write-lat", "pairs"), ("rdma-read-lat", "pairs"), ("rdma-send-lat", "pairs"),
]
SCOPE = dict(RUNNERS)
RUNNERS = [r for r, _ in RUNNERS]


def inventory(host, gpus, rng):
    return {
        "schema": 1, "hostname": host,
        "cpu": {"vendor": "AuthenticAMD", "family": 25, "model_number": 17, "model": "AMD EPYC 9654 96-Core Processor",
                "stepping": 1, "microcode": "0xa101144",
                "flags": ["avx", "avx2", "avx512_bf16", "avx512_vnni", "avx512bw", "avx512cd", "avx512dq", "avx512f",
                          "avx512ifma", "avx512vl", "fma"],
                "sockets": 2, "cores": 192, "threads": 384, "topology_source": "hwloc",
                "caches": {"l1d_bytes": 32768, "l2_bytes": 1048576, "l3_bytes": 33554432, "l3_count": 24,
                           "l3_total_bytes": 805306368},
                "base_mhz": 2400, "max_mhz": 3700, "governor": "performance", "boost": True, "smt": "on"},
        "memory": {"total_bytes": 1622561538048, "hugepages": {"size_bytes": 2097152, "total": 0},
                   "transparent_hugepage": {"enabled": "always", "defrag": "madvise"}},
        "numa": {"count": 2, "nodes": [{"os_index": 0, "memory_bytes": 811280769024, "cpuset": "0-95,192-287"},
                                       {"os_index": 1, "memory_bytes": 811280769024, "cpuset": "96-191,288-383"}]},
        "os": {"kernel": "6.1.0-21-amd64", "arch": "x86_64", "pretty_name": "Debian GNU/Linux 12 (bookworm)",
               "version_id": "12", "id": "debian"},
        "dmi": {"sys_vendor": "Supermicro", "product_name": "SYS-821GE-TNHR", "bios_version": "2.1"},
        "libraries": {"mpi": "Open MPI v4.1.4", "openblas": "0.3.21", "hwloc": "2.9.0", "cjson": "1.7.15",
                      "glibc": "2.36", "cuda_driver": "12040", "nccl": "2.21.5"},
        "gpus": [{"name": "NVIDIA H100 80GB HBM3", "vbios": "96.00.89.00.01", "driver_version": "550.54.15",
                  "memory_bytes": 85520809984, "pcie_max_gen": 5, "pcie_max_width": 16, "pcie_gpu_max_gen": 5,
                  "power_default_limit_w": 700, "ecc_enabled": True, "nvlink_active_links": 18,
                  "remapped_rows": {"correctable": 0, "uncorrectable": 0, "pending": False, "failure": False},
                  "index": g} for g in range(gpus)],
        "rdma": [{"device": "mlx5_%d" % i, "port": 1, "state": "ACTIVE", "active_width": "4X", "active_speed": "NDR",
                  "link_layer": "InfiniBand", "fw_ver": "28.39.1002"} for i in range(gpus)],
        "volatile": {"mem_available_bytes": 1590000000000 + rng.randrange(10 ** 9), "loadavg": [0.1, 0.2, 0.3],
                     "uptime_s": 86400.0 + rng.random()},
        "unreadable": [],
    }


def gpu_info(host, g):
    return {"cuda_device": g, "name": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0", "sms": 132,
            "memory_bytes": 84942979072, "pci_bus_id": "00000000:%02X:00.0" % (0x18 + 0x10 * g),
            "nvml": {"name": "NVIDIA H100 80GB HBM3", "uuid": "GPU-%s-%d" % (host, g), "serial": "13230%05d" % g,
                     "vbios": "96.00.89.00.01", "driver_version": "550.54.15", "memory_bytes": 85520809984}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--nodes", type=int, default=1024)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--pair-rounds", type=int, default=8)
    ap.add_argument("--burn-samples", type=int, default=30, help="gpu-burn telemetry rows (duration_s / sample_s)")
    a = ap.parse_args()
    rng = random.Random(20261121)
    os.makedirs(a.out, exist_ok=True)
    j = Journal(os.path.join(a.out, "journal.jsonl"))
    hosts = ["node%04d" % (i + 1) for i in range(a.nodes)]
    ngpus = a.gpus
    prof = profile_doc()
    plan = {"profile": "scale", "tests": [{"id": r, "runner": r, "scope": SCOPE[r], "params": {}, "timeout_s": 3600,
                                           "warmup": 1} for r in RUNNERS]}
    j.put({"kind": "run", "t": T0, "event": "start", "anvil_version": "0.1.0",
           "features": "scalapack, ibverbs, cuda 12.4, cublas, cusolver, nccl", "argv": ["run", "-p", "scale"],
           "ranks": a.nodes * ngpus, "nodes": a.nodes, "hosts": hosts, "plan": plan, "profile_doc": prof,
           "cluster": {"schema": "anvil-cluster/1", "name": "scale-%d" % a.nodes}})
    for n, h in enumerate(hosts):
        j.put({"kind": "inventory", "host": h, "rank": n * ngpus, "t": T0 + 1, "inventory": inventory(h, ngpus, rng)})

    slow_node = hosts[299 % a.nodes]
    slow_gpus = {(hosts[16 % a.nodes], 3), (hosts[700 % a.nodes], 5), (hosts[1000 % a.nodes], 0)}
    ecc_gpu = (hosts[511 % a.nodes], 2)
    t = [T0 + 10]

    def rec(kind, test, host, rank, **kw):
        r = {"kind": kind, "test": test}
        if host is not None:
            r["host"] = host
            r["rank"] = rank
        r["t"] = round(t[0], 3)
        r["runner"] = test
        r.update(kw)
        j.put(r)

    def metric(test, host, rank, name, value, unit, better, labels=None):
        kw = {}
        if labels:
            kw["labels"] = labels
        kw.update(name=name, value=value, unit=unit, better=better)
        rec("metric", test, host, rank, **kw)

    def check(test, host, rank, name, ok, value, limit, why, labels=None):
        kw = {}
        if labels:
            kw["labels"] = labels
        kw.update(name=name, ok=ok, value=value, limit=limit, why=why)
        rec("check", test, host, rank, **kw)

    def series(test, host, rank, name, xname, xunit, cols, rows, labels=None):
        kw = {}
        if labels:
            kw["labels"] = labels
        kw.update(name=name, x={"name": xname, "unit": xunit}, columns=[{"name": c, "unit": u} for c, u in cols],
                  rows=rows)
        rec("series", test, host, rank, **kw)

    def done(test, dur):
        j.put({"kind": "test", "test": test, "t": round(t[0] + dur, 3), "runner": test, "status": "ok",
               "started": t[0], "duration_s": dur})
        t[0] += dur + 1

    def noisy(x, rel=0.01):
        return x * (1 + rng.gauss(0, rel))

    sizes = [1 << k for k in range(0, 24)]
    # ---- per node
    for n, h in enumerate(hosts):
        f = 0.8 if h == slow_node else 1.0
        gf = noisy(5600 * f)
        reps = [noisy(gf, 0.004) for _ in range(5)]
        metric("cpu-dgemm", h, n * ngpus, "gflops", max(reps), "GFLOP/s", "higher")
        metric("cpu-dgemm", h, n * ngpus, "gflops_mean", sum(reps) / 5, "GFLOP/s", "higher")
        check("cpu-dgemm", h, n * ngpus, "correct", True, 6.4e-17, 1e-10,
              "sampled entries of C differ from a long-double recomputation by up to 6.4e-17 (relative); tolerance 1e-10")
        rec("info", "cpu-dgemm", h, n * ngpus, info={"n": 40000, "threads": 192, "reps": 5})
    done("cpu-dgemm", 120)
    for n, h in enumerate(hosts):
        f = 0.85 if h == slow_node else 1.0
        for k, base in (("copy_gbs", 640), ("scale_gbs", 630), ("add_gbs", 690), ("triad_gbs", 700)):
            metric("stream", h, n * ngpus, k, noisy(base * f, 0.005), "GB/s", "higher")
        check("stream", h, n * ngpus, "validated", True, 0, 1e-13,
              "solution validates: avg error less than 1e-13 on all three arrays")
        rec("info", "stream", h, n * ngpus, info={"n": 805306368, "array_bytes": 6442450944,
                                                  "llc_bytes": 805306368, "ntimes": 20, "threads": 192})
    done("stream", 200)
    for n, h in enumerate(hosts):
        metric("hpl", h, n * ngpus, "gflops", noisy(4800 * (0.8 if h == slow_node else 1)), "GFLOP/s", "higher")
        check("hpl", h, n * ngpus, "residual", True, 0.0042, 16, "HPL residual 0.0042 < 16 (N=60000)")
        rec("info", "hpl", h, n * ngpus, info={"n": 60000, "nb": 256, "lu": "blocked, own", "seconds": 30.1})
    done("hpl", 400)

    # ---- per GPU
    def per_gpu(fn):
        for n, h in enumerate(hosts):
            for g in range(ngpus):
                labels = {"gpu": str(g), "gpu_name": "NVIDIA H100 80GB HBM3"}
                fn(n, h, g, n * ngpus + g, labels, 0.75 if (h, g) in slow_gpus else 1.0)

    def gdgemm(n, h, g, rank, labels, f):
        for p, base in (("fp64", 52), ("fp32", 48), ("tf32", 370), ("bf16", 720), ("fp16", 730)):
            metric("gpu-dgemm", h, rank, p + "_tflops", noisy(base * f, 0.008), "TFLOP/s", "higher", labels)
        check("gpu-dgemm", h, rank, "correct", True, 0, 0, "1280 sampled elements of C match a long-double host reference",
              labels)
        info = gpu_info(h, g)
        info["n"] = 16384
        info["precisions"] = {p: {"tflops": 1, "seconds": 0.2, "sampled": 256, "bad": 0} for p in
                              ("fp64", "fp32", "tf32", "bf16", "fp16")}
        rec("info", "gpu-dgemm", h, rank, labels=labels, info=info)
    per_gpu(gdgemm)
    done("gpu-dgemm", 60)

    def ghpl(n, h, g, rank, labels, f):
        metric("gpu-hpl", h, rank, "tflops", noisy(48 * f), "TFLOP/s", "higher", labels)
        check("gpu-hpl", h, rank, "residual", True, 0.0031, 16, "HPL residual 0.0031 < 16 (N=65536, cuSOLVER getrf/getrs)",
              labels)
        info = gpu_info(h, g)
        info.update(n=65536, getrf_info=0, getrs_info=0, seconds=4.1)
        rec("info", "gpu-hpl", h, rank, labels=labels, info=info)
    per_gpu(ghpl)
    done("gpu-hpl", 90)

    def gstream(n, h, g, rank, labels, f):
        for k, base in (("copy_gbs", 3000), ("mul_gbs", 2990), ("add_gbs", 3050), ("triad_gbs", 3060),
                        ("dot_gbs", 2900)):
            metric("gpu-stream", h, rank, k, noisy(base * (0.9 if f < 1 else 1), 0.004), "GB/s", "higher", labels)
        info = gpu_info(h, g)
        info["kernels"] = {k: {"bytes": 6.4e9, "min_s": 0.0021, "max_s": 0.0023} for k in
                           ("copy", "mul", "add", "triad", "dot")}
        rec("info", "gpu-stream", h, rank, labels=labels, info=info)
        check("gpu-stream", h, rank, "validated", True, 0, 0, "every element of a, b, c and the dot sum match", labels)
    per_gpu(gstream)
    done("gpu-stream", 60)

    burn_cols = [("gflops", "GFLOP/s"), ("temperature", "C"), ("power", "W"), ("power_limit", "W"),
                 ("sm_clock", "MHz"), ("mem_clock", "MHz"), ("pcie_gen", "gen"), ("pcie_width", "lanes"),
                 ("throttled", "0/1"), ("power_capped", "0/1"), ("ecc_corrected", "errors"),
                 ("ecc_uncorrected", "errors"), ("clock_reasons", "bits"), ("mismatches", "elements")]

    def gburn(n, h, g, rank, labels, f):
        labels = dict(labels, precision="fp64")
        ecc = (h, g) == ecc_gpu
        rows = []
        for s in range(a.burn_samples):
            rows.append([s + 1.0, round(noisy(51000 * f, 0.01), 1), 60 + s % 20, round(noisy(690, 0.01), 1), 700,
                         1980, 2619, 5, 16, 0, 1, 0, 2 if ecc and s > 10 else 0, 4, 0])
        series("gpu-burn", h, rank, "burn", "time", "s", burn_cols, rows, labels)
        metric("gpu-burn", h, rank, "tflops", noisy(51 * f), "TFLOP/s", "higher", labels)
        metric("gpu-burn", h, rank, "cv", abs(noisy(0.8, 0.2)), "%", "lower", labels)
        check("gpu-burn", h, rank, "mismatches", True, 0, 0, "0 element(s) of 1200 result(s) of 8192 x 8192 differ "
              "from the reference by more than 2 units of fp64 roundoff (2.2e-16 relative + 0)", labels)
        check("gpu-burn", h, rank, "reference", True, 0, 0, "reference result: 0 of 256 sampled elements outside the "
              "tolerance of a long-double host product (worst 1.1e-16 of it)", labels)
        metric("gpu-burn", h, rank, "temp_max_c", 79 + rng.random() * 4 if not ecc else 86, "C", "lower", labels)
        metric("gpu-burn", h, rank, "power_mean_w", noisy(690), "W", "higher", labels)
        metric("gpu-burn", h, rank, "sm_clock_mean_mhz", noisy(1980, 0.002), "MHz", "none", labels)
        check("gpu-burn", h, rank, "ecc_uncorrected", not ecc, 2 if ecc else 0, 0,
              "volatile uncorrected ECC errors during the test: %d" % (2 if ecc else 0), labels)
        check("gpu-burn", h, rank, "throttle", True, 0, 0, "no thermal or hardware slowdown in 30 samples", labels)
        metric("gpu-burn", h, rank, "pcie_gen", 5, "gen", "higher", labels)
        metric("gpu-burn", h, rank, "pcie_width", 16, "lanes", "higher", labels)
        check("gpu-burn", h, rank, "pcie_link_gen", True, 5, 5, "PCIe link at gen 5 of 5 under load", labels)
        check("gpu-burn", h, rank, "pcie_link_width", True, 16, 16, "PCIe link at x16 of x16 under load", labels)
        info = gpu_info(h, g)
        info["notes"] = []
        info["burn"] = {"precision": "fp64", "n": 8192, "result_slots": 120, "bytes_used": 7.6e10, "gemms": 1200,
                        "gpu_seconds": 30.0, "mean_sample_gflops": 51000, "inject_errors": 0}
        rec("info", "gpu-burn", h, rank, labels=labels, info=info)
    per_gpu(gburn)
    done("gpu-burn", 45)

    # ---- whole job
    nccl_cols = [("count", "elements"), ("time", "us"), ("algbw", "GB/s"), ("busbw", "GB/s"), ("wrong", "elements"),
                 ("time_inplace", "us"), ("algbw_inplace", "GB/s"), ("busbw_inplace", "GB/s"),
                 ("wrong_inplace", "elements")]
    for coll, bus in (("allreduce", 380), ("allgather", 350), ("reducescatter", 350), ("broadcast", 360),
                      ("reduce", 360), ("alltoall", 45), ("sendrecv", 48)):
        test = "nccl-" + coll
        rows = [[s, s / 4, 10 + s / 4e5, s / (10 + s / 4e5) / 1e3, s / (10 + s / 4e5) / 1e3 * 1.9, 0,
                 10 + s / 4e5, s / (10 + s / 4e5) / 1e3, s / (10 + s / 4e5) / 1e3 * 1.9, 0] for s in sizes[3:]]
        labels = {"gpu": "0", "gpu_name": "NVIDIA H100 80GB HBM3", "path": "NVLink+IB"}
        series(test, hosts[0], 0, coll, "size", "B", nccl_cols, rows, labels)
        info = gpu_info(hosts[0], 0)
        info.update(nccl_version="2.21.5", ranks=a.nodes * ngpus, judged="busbw_gbs: mean out-of-place busbw",
                    topology={"nodes": a.nodes, "gpus_per_node": ngpus, "path": "NVLink+IB"})
        rec("info", test, hosts[0], 0, labels=labels, info=info)
        metric(test, hosts[0], 0, "busbw_gbs", noisy(bus), "GB/s", "higher", labels)
        metric(test, hosts[0], 0, "busbw_min_gbs", noisy(bus * 0.95), "GB/s", "higher", labels)
        metric(test, hosts[0], 0, "algbw_gbs", noisy(bus / 1.9), "GB/s", "higher", labels)
        metric(test, hosts[0], 0, "latency_us", noisy(60), "us", "lower", labels)
        metric(test, hosts[0], 0, "topology_peak_gbs", 400, "GB/s", "none", labels)
        check(test, hosts[0], 0, "correct", True, 0, 0,
              "0 wrong element(s) over all sizes, modes and ranks (exact float data)", labels)
        done(test, 30)
    labels = {"peer": hosts[1 % a.nodes]}
    series("mpi-pingpong", hosts[0], 0, "pingpong", "size", "B", [("latency", "us"), ("bandwidth", "GB/s")],
           [[s, 1.5 + s / 4e4, s / (1.5 + s / 4e4) / 1e3] for s in sizes[:23]], labels)
    metric("mpi-pingpong", hosts[0], 0, "latency_us", 1.6, "us", "lower", labels)
    metric("mpi-pingpong", hosts[0], 0, "bandwidth_gbs", 24.1, "GB/s", "higher", labels)
    done("mpi-pingpong", 5)
    series("mpi-allreduce", hosts[0], 0, "allreduce", "size", "B",
           [("time", "us"), ("algbw", "GB/s"), ("busbw", "GB/s"), ("wrong", "elements")],
           [[s, 20 + s / 1e4, s / (20 + s / 1e4) / 1e3, s / (20 + s / 1e4) / 1e3 * 1.99, 0] for s in sizes[3:]])
    metric("mpi-allreduce", hosts[0], 0, "busbw_gbs", 19.5, "GB/s", "higher")
    metric("mpi-allreduce", hosts[0], 0, "algbw_gbs", 9.8, "GB/s", "higher")
    metric("mpi-allreduce", hosts[0], 0, "latency_us", 21.0, "us", "lower")
    check("mpi-allreduce", hosts[0], 0, "correct", True, 0, 0, "0 wrong element(s) across all sizes and ranks")
    done("mpi-allreduce", 30)
    metric("hpl-cluster", hosts[0], 0, "gflops", 4700.0 * a.nodes, "GFLOP/s", "higher")
    check("hpl-cluster", hosts[0], 0, "residual", True, 0.0051, 16, "HPL residual 0.0051 < 16 (N=2000000, 32 x 32 grid)")
    rec("info", "hpl-cluster", hosts[0], 0, info={"n": 2000000, "nb": 256, "p": 32, "q": 32, "seconds": 1300.2})
    done("hpl-cluster", 1400)

    # ---- node pairs, PAIR_ROUNDS rounds of the circle schedule, both directions
    n = a.nodes - (a.nodes % 2)
    bad_link = (hosts[41 % n], hosts[circle_round(n, 0)[41 % n]])

    def pairs():
        """Every (node, host, peer host, labels) of the measured rounds, both directions."""
        for r in range(min(a.pair_rounds, n - 1)):
            partners = circle_round(n, r)
            for node in range(n):
                yield node, hosts[node], hosts[partners[node]], {"peer": hosts[partners[node]]}

    for kind in ("write", "read", "send"):
        test = "rdma-%s-bw" % kind
        for node, h, p, labels in pairs():
            f = 0.6 if (h, p) in (bad_link, bad_link[::-1]) else 1.0
            rows = [[s, 49.0 * f * min(1, s / 8192.0), 48.5 * f * min(1, s / 8192.0),
                     388 * f * min(1, s / 8192.0), 9.8, 5000] for s in sizes[1:]]
            info = {"anchor": "perftest ib_%s_bw" % kind, "direction": "%s -> %s" % (h, p), "device": "mlx5_0",
                    "port": 1, "fw_ver": "28.39.1002", "link_layer": "InfiniBand",
                    "link": {"width": "4X", "speed": "NDR", "gbps": 400}, "peer_device": "mlx5_0",
                    "peer_link": {"width": "4X", "speed": "NDR", "gbps": 400}, "link_rate_gbs": 50,
                    "lid": node + 1, "gid_index": 0, "mtu": 4096, "qps": 1, "tx_depth": 128,
                    "inline_size": 0, "memory": "host", "cq_mod": "perftest's: 100, 1 above 8 KiB",
                    "timer": "CLOCK_MONOTONIC, ns"}
            rec("info", test, h, node * ngpus, labels=labels, info=info)
            series(test, h, node * ngpus, "bandwidth", "size", "B",
                   [("bw_peak", "GB/s"), ("bw_avg", "GB/s"), ("bw_avg_gbps", "Gb/s"), ("msg_rate", "Mpps"),
                    ("iterations", "")], rows, labels)
            avg = noisy(48.5 * f, 0.003)
            metric(test, h, node * ngpus, "bandwidth_gbs", avg, "GB/s", "higher", labels)
            metric(test, h, node * ngpus, "bandwidth_gbps", avg * 8, "Gb/s", "higher", labels)
            metric(test, h, node * ngpus, "bandwidth_peak_gbs", avg * 1.01, "GB/s", "higher", labels)
            metric(test, h, node * ngpus, "msg_rate_mpps", 9.8, "Mpps", "higher", labels)
            metric(test, h, node * ngpus, "link_rate_gbs", 50, "GB/s", "none", labels)
            metric(test, h, node * ngpus, "link_fraction", avg / 50, "fraction", "higher", labels)
        done(test, 60 * a.pair_rounds)
    for kind in ("write", "read", "send"):
        test = "rdma-%s-lat" % kind
        for node, h, p, labels in pairs():
            base = noisy(1.9 if (h, p) not in (bad_link, bad_link[::-1]) else 4.0, 0.01)
            rows = [[s, base + s / 5e4, base + s / 5e4 + 0.02, base + s / 5e4 + 0.03, base + s / 5e4 + 0.3,
                     base + s / 5e4 + 0.9, base + s / 5e4 + 3, 1000] for s in sizes[1:]]
            rec("info", test, h, node * ngpus, labels=labels,
                info={"anchor": "perftest ib_%s_lat" % kind, "direction": "%s -> %s" % (h, p), "device": "mlx5_0",
                      "port": 1, "link_layer": "InfiniBand", "link_rate_gbs": 50, "mtu": 4096})
            series(test, h, node * ngpus, "latency", "size", "B",
                   [("t_min", "us"), ("t_typical", "us"), ("t_avg", "us"), ("t_p99", "us"), ("t_p99.9", "us"),
                    ("t_max", "us"), ("iterations", "")], rows, labels)
            for name, d in (("latency_us", 0.02), ("latency_min_us", 0), ("latency_avg_us", 0.03),
                            ("latency_p99_us", 0.3), ("latency_p999_us", 0.9), ("latency_max_us", 3)):
                metric(test, h, node * ngpus, name, base + d, "us", "lower", labels)
        done(test, 30 * a.pair_rounds)
    j.put({"kind": "run", "t": round(t[0], 3), "event": "end", "status": "complete"})
    j.close()
    print("report_scale_gen: %d records, %d nodes x %d GPUs, %d pair round(s) per RDMA runner -> %s"
          % (j.seq, a.nodes, ngpus, min(a.pair_rounds, n - 1), os.path.join(a.out, "journal.jsonl")))


if __name__ == "__main__":
    main()
