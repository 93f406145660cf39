#!/usr/bin/env python3
"""Writes the journal fixtures of the HTML report tests (deterministic: the
same bytes every time; run it again after changing it and commit both).

report-all-charts.jsonl: a 4-node run that gives report.html every chart kind:
  - cpu-dgemm: per-node figures judged by peak and peers rules (bars), one
    node failing, one warning;
  - gpu-burn: per-GPU figures (16 bars) and telemetry against time (16 lines,
    more than a chart draws), one GPU over 90 C that throttles, one over the
    83 C warning; columns that stay constant or are bit masks;
  - mpi-pingpong: size sweeps per node pair (latency, bandwidth) with a failing
    pair; mpi-allreduce: one sweep with a column that stays 0;
  - mpi-pairwise: a 4-node pair matrix (bandwidth, latency) with one slow node,
    carried in an info record ("matrix", "culprits") as well as in the pair
    figures reports/pairwise.c reads;
  - an inventory that drifts (kernel, BIOS, a sysctl), a skipped test, a test
    with a harness error;
  - hostile strings everywhere the journal can put them: a hostname, a label
    value, a test id, a why, an inventory value.
report-all-charts-baseline.jsonl: an earlier run of the same plan, a little
faster on some figures, for `anvil report --baseline`.
"""
import copy
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PWN = "document.title='pwned'"
EVIL_HOST = 'cn04<img src=x onerror="%s">' % PWN
EVIL_GPU_NAME = 'H100 "SXM" </script><script>%s</script>' % PWN
EVIL_TEST = 'evil"><img src=x onerror="%s">' % PWN
EVIL_WHY = "]]><img src=x onerror=alert(1)> & </style><script>%s</script>" % PWN
EVIL_DMI = "<img src=x onerror=alert(1)>"
HOSTS = ["cn01", "cn02", "cn03", EVIL_HOST]
T0 = 1795000000.0

PROFILE = {
    "schema": "anvil-profile/1", "name": "fixture",
    "description": "every chart kind of report.html",
    "tests": [], "checks": [
        {"test": "cpu-dgemm", "metric": "gflops", "rule": "peak", "peak": "cpu.fp64_gflops", "min": 0.5, "warn": 0.7},
        {"test": "cpu-dgemm", "metric": "gflops", "rule": "peers", "min": 0.9, "warn": 0.95},
        {"test": "gpu-burn", "metric": "tflops", "rule": "peers", "min": 0.9, "warn": 0.95},
        {"test": "gpu-burn", "metric": "power_mean_w", "rule": "absolute", "min": 660},
        {"test": "gpu-burn", "metric": "temp_max_c", "rule": "absolute", "max": 90, "warn": 83},
        {"test": "mpi-pingpong", "metric": "latency_us", "rule": "absolute", "max": 50},
        {"test": "mpi-pingpong", "metric": "bandwidth_gbs", "rule": "absolute", "min": 5},
        {"test": "mpi-allreduce", "metric": "busbw_gbs", "rule": "absolute", "min": 1},
        {"test": "mpi-pairwise", "metric": "bandwidth_gbs", "rule": "absolute", "min": 10},
        {"test": "mpi-pairwise", "metric": "latency_us", "rule": "absolute", "max": 5},
    ],
}
PLAN = [
    ("cpu-dgemm", "cpu-dgemm", "per-node"), ("gpu-burn", "gpu-burn", "per-node"),
    ("mpi-pingpong", "mpi-pingpong", "all"), ("mpi-allreduce", "mpi-allreduce", "all"),
    ("mpi-pairwise", "mpi-pairwise", "pairs"), ("rdma-write-bw", "rdma-write-bw", "pairs"),
    ("nccl-allreduce", "nccl-allreduce", "all"), (EVIL_TEST, "null", "per-node"),
]


class Journal:
    def __init__(self, scale):
        self.recs, self.t, self.scale = [], T0, scale

    def add(self, kind, **kw):
        self.t += 0.25
        rec = {"v": 1, "seq": len(self.recs), "kind": kind}
        rec.update(kw)
        rec.setdefault("t", round(self.t, 3))
        self.recs.append(rec)

    def metric(self, test, host, rank, name, value, unit, better, labels=None):
        kw = dict(test=test, runner=runner_of(test), host=host, rank=rank)
        if labels:
            kw["labels"] = labels
        self.add("metric", **kw, name=name, value=round(value, 6), unit=unit, better=better)

    def series(self, test, host, rank, name, x, columns, rows, labels=None):
        kw = dict(test=test, runner=runner_of(test), host=host, rank=rank)
        if labels:
            kw["labels"] = labels
        self.add("series", **kw, name=name, x=x, columns=columns,
                 rows=[[round(v, 6) for v in r] for r in rows])

    def done(self, test, status="ok", why=None, duration=12.5):
        kw = dict(test=test, runner=runner_of(test), status=status, started=round(self.t, 3),
                  duration_s=duration)
        if why:
            kw["why"] = why
        self.add("test", **kw)

    def write(self, name):
        with open(os.path.join(HERE, name), "w") as f:
            for r in self.recs:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def runner_of(test):
    return next(r for i, r, _ in PLAN if i == test)


def wiggle(i, k):
    """A deterministic small variation in [-1, 1]."""
    return math.sin(1.7 * i + 0.9 * k + 0.3 * i * k)


def inventory(host, i):
    inv = {
        "schema": 1, "hostname": host,
        "cpu": {"vendor": "AuthenticAMD", "model": "AMD EPYC 9654 96-Core Processor", "microcode": "0xa101144",
                "flags": ["avx", "avx2", "avx512f", "fma"], "sockets": 2, "cores": 192, "threads": 384,
                "base_mhz": 2400},
        "memory": {"total_bytes": 1621400000000 if i != 2 else 1553000000000,
                   "transparent_hugepage": {"enabled": "madvise", "defrag": "madvise"}},
        "os": {"kernel": "6.1.0-21-amd64" if i != 2 else "6.1.0-18-amd64", "arch": "x86_64",
               "pretty_name": "Debian GNU/Linux 12 (bookworm)"},
        "dmi": {"bios_version": "1.7.3" if i != 3 else "1.6.0", "product_name": "XE9680" if i != 3 else EVIL_DMI},
        "sysctls": {"vm.swappiness": 60 if i != 1 else 10, "kernel.numa_balancing": 0},
        "libraries": {"mpi": "Open MPI v4.1.4", "openblas": "0.3.21", "cuda_driver": "550.54.15"},
        "gpus": [{"index": g, "name": "NVIDIA H100 80GB HBM3", "vbios": "96.00.89.00.01"} for g in range(2)],
        "volatile": {"uptime_s": 1000 + 17 * i},
        "unreadable": ["cpu.governor: not present"] + (["dmi.serial: permission denied"] if i == 3 else []),
    }
    return inv


def cpu_dgemm(j):
    base = [151.0, 122.0, 149.0, 92.0]
    for i, h in enumerate(HOSTS):
        j.metric("cpu-dgemm", h, i, "gflops", base[i] * j.scale, "GFLOP/s", "higher")
        j.add("check", test="cpu-dgemm", runner="cpu-dgemm", host=h, rank=i, name="correct", ok=True,
              value=3.1e-17, limit=1e-10, why="sampled entries of C match a long-double recomputation")
    j.done("cpu-dgemm", duration=8.2)


def gpu_burn(j):
    """As runners/gpu_burn.c records it: a "burn" series per GPU (GEMM rate,
    then NVML telemetry), tflops, temp_max_c, power_mean_w, sm_clock_mean_mhz."""
    for i, h in enumerate(HOSTS):
        for g in range(4):
            labels = {"gpu": str(g), "gpu_name": EVIL_GPU_NAME, "precision": "fp64"}
            hot = (i, g) == (1, 2)
            warm = (i, g) == (3, 1)
            rows = []
            for k in range(31):
                t = 10.0 * k
                ramp = 1 - math.exp(-t / 60)
                top = 91.5 if hot else 85.5 if warm else 74 + 2 * wiggle(i, g)
                temp = 32 + (top - 32) * ramp + 0.6 * wiggle(k, g + 4 * i)
                throttle = hot and temp > 88
                clock = 1980 - (420 if throttle else 0) + 8 * wiggle(k, g)
                gflops = (51000 if not throttle else 40500) * j.scale + 300 * wiggle(k + 1, g + i)
                power = 690 - (120 if throttle else 0) + 6 * wiggle(k, g + 2 * i)
                rows.append([t, gflops, temp, power, 700, clock, 1 if throttle else 0,
                             40 if throttle else 4, 0])
            j.series("gpu-burn", h, 4 * i + g, "burn", {"name": "time", "unit": "s"},
                     [{"name": "gflops", "unit": "GFLOP/s"}, {"name": "temperature", "unit": "C"},
                      {"name": "power", "unit": "W"}, {"name": "power_limit", "unit": "W"},
                      {"name": "sm_clock", "unit": "MHz"}, {"name": "throttled", "unit": "0/1"},
                      {"name": "clock_reasons", "unit": "bits"}, {"name": "mismatches", "unit": "elements"}],
                     rows, labels)
            steady = rows[6:]
            j.metric("gpu-burn", h, 4 * i + g, "tflops", sum(r[1] for r in steady) / len(steady) / 1e3,
                     "TFLOP/s", "higher", labels)
            j.metric("gpu-burn", h, 4 * i + g, "temp_max_c", max(r[2] for r in rows), "C", "lower", labels)
            j.metric("gpu-burn", h, 4 * i + g, "power_mean_w", sum(r[3] for r in rows) / len(rows), "W",
                     "higher", labels)
            j.metric("gpu-burn", h, 4 * i + g, "sm_clock_mean_mhz", sum(r[5] for r in rows) / len(rows), "MHz",
                     "none", labels)
    j.done("gpu-burn", duration=305.0)


def sizes(lo, hi):
    s = lo
    while s <= hi:
        yield s
        s *= 2


def pingpong(j):
    pairs = [(0, 1, 1.0), (2, 3, 1.0), (1, 3, 0.35)]
    for a, b, q in pairs:
        rows = []
        for k, n in enumerate(sizes(1, 4 << 20)):
            lat = 1.6 + n / (12.0e3 * q) + 0.05 * wiggle(k, a)
            rows.append([n, lat, n / lat / 1e3])
        labels = {"peer": HOSTS[b]}
        j.series("mpi-pingpong", HOSTS[a], a, "pingpong", {"name": "size", "unit": "B"},
                 [{"name": "latency", "unit": "us"}, {"name": "bandwidth", "unit": "GB/s"}], rows, labels)
        j.metric("mpi-pingpong", HOSTS[a], a, "latency_us", rows[0][1], "us", "lower", labels)
        j.metric("mpi-pingpong", HOSTS[a], a, "bandwidth_gbs", max(r[2] for r in rows) * j.scale, "GB/s",
                 "higher", labels)
    j.done("mpi-pingpong", duration=9.1)


def allreduce(j):
    rows = []
    for k, n in enumerate(sizes(8, 64 << 20)):
        t = 4.0 + n / 9.0e3 + 0.1 * wiggle(k, 3)
        algbw = n / t / 1e3
        rows.append([n, t, algbw, algbw * 2 * 3 / 4, 0])
    j.series("mpi-allreduce", HOSTS[0], 0, "allreduce", {"name": "size", "unit": "B"},
             [{"name": "time", "unit": "us"}, {"name": "algbw", "unit": "GB/s"},
              {"name": "busbw", "unit": "GB/s"}, {"name": "wrong", "unit": "elements"}], rows)
    j.metric("mpi-allreduce", HOSTS[0], 0, "busbw_gbs", rows[-1][3] * j.scale, "GB/s", "higher")
    j.add("check", test="mpi-allreduce", runner="mpi-allreduce", host=HOSTS[0], rank=0, name="correct",
          ok=True, value=0, limit=0, why="0 wrong element(s) across all sizes and ranks")
    j.done("mpi-allreduce", duration=6.4)


def pairwise(j):
    n = len(HOSTS)
    bw = [[None] * n for _ in range(n)]
    lat = [[None] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            slow = 2 in (a, b)
            bw[a][b] = bw[b][a] = round((6.1 if slow else 12.2) * j.scale + 0.1 * wiggle(a, b), 3)
            lat[a][b] = lat[b][a] = round((2.9 if slow else 1.8) + 0.05 * wiggle(b, a), 3)
            labels = {"peer": HOSTS[b]}
            j.metric("mpi-pairwise", HOSTS[a], a, "bandwidth_gbs", bw[a][b], "GB/s", "higher", labels)
            j.metric("mpi-pairwise", HOSTS[a], a, "latency_us", lat[a][b], "us", "lower", labels)
    j.add("info", test="mpi-pairwise", runner="mpi-pairwise", host=HOSTS[0], rank=0, info={
        "matrix": {"hosts": HOSTS, "metrics": {"bandwidth_gbs": bw, "latency_us": lat},
                   "units": {"bandwidth_gbs": "GB/s", "latency_us": "us"},
                   "better": {"bandwidth_gbs": "higher", "latency_us": "lower"}},
        "culprits": [{"kind": "node", "hosts": ["cn03"],
                      "why": "cn03: its port or cable: 3 of its 3 pairs are slow on bandwidth_gbs "
                             "(6 to 6.2 GB/s, against a median of 9.2 GB/s over all 6 pairs)"}]})
    j.done("mpi-pairwise", duration=14.0)


def others(j):
    j.done("rdma-write-bw", status="skipped", why="no RDMA device on cn01 (ibv_get_device_list found none)",
           duration=0.0)
    j.done("nccl-allreduce", status="error", why="cudaMalloc failed on GPU 3 of cn02: out of memory",
           duration=2.0)
    j.add("check", test=EVIL_TEST, runner="null", host=EVIL_HOST, rank=3, name="ok<b>", ok=False,
          value=1, limit=0, why=EVIL_WHY, labels={"x": EVIL_DMI})
    j.done(EVIL_TEST, duration=0.1)


def run(scale, name):
    j = Journal(scale)
    plan = {"profile": "fixture", "tests": [{"id": i, "runner": r, "scope": s, "params": {}, "timeout_s": 600}
                                            for i, r, s in PLAN]}
    j.add("run", event="start", anvil_version="0.1.0", argv=["run", "-p", "fixture"], ranks=16, nodes=4,
          hosts=HOSTS, plan=plan, profile_doc=copy.deepcopy(PROFILE),
          cluster={"schema": "anvil-cluster/1", "name": 'fixture-bed "A"', "peaks": {"cpu.fp64_gflops": 200}})
    for i, h in enumerate(HOSTS):
        j.add("inventory", host=h, rank=i, inventory=inventory(h, i))
    for step in (cpu_dgemm, gpu_burn, pingpong, allreduce, pairwise, others):
        step(j)
    j.add("run", event="end", status="complete")
    j.write(name)


if __name__ == "__main__":
    run(1.0, "report-all-charts.jsonl")
    run(1.06, "report-all-charts-baseline.jsonl")
