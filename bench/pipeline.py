"""`python -m bench pipeline`: what the compliance pipeline costs, against the proxy alone.

One run starts a fast echoing OpenAI-compatible upstream (bench/chat_upstream.py), a local JWT
issuer, an OPA server, and the gateways under test (bench/pipeline_rig.py): `passthrough` (the
proxy alone), `full-embedded` (every stage, embedded policy engine) and `full-opa` (every stage,
OPA server); opt-in `full-noaudit` and `full-uncached`. It drives four workloads at each:
synthetic Indonesian chat requests of 1 KB and 8 KB (bench/chat_bodies.py), each a new turn of
one conversation, answered whole (JSON) or streamed (SSE).

In each round, for each workload, every target is measured in turn (order rotated per round):
  throughput  wrk -t2 -c16 (--connections) POSTing the body: req/s, p50/p99 under that load,
              and the gateway's CPU time per request
  latency     wrk -t1 -c1: p50/p99 of one request at a time (no queueing)
  streams     (SSE only) one client, one stream at a time: time to the first `data:` event, to
              the first non-empty content delta, and to the end of the stream
Ratios and added latencies are computed within a round (paired) and summarised by their median.
After the rounds: a short paced phase streams with the upstream sleeping between chunks (a
token-paced model), where the gateway's hold-back window shows in the time to first content;
the audit logs are verified and searched for the seeded values; and one exchange's CPU time is
broken down by stage in-process (bench/pipeline_breakdown.py).

Results go to bench/results/pipeline-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench.chat_bodies import SEEDED, chat_body
from bench.load import LoadResult, percentile
from bench.pipeline_breakdown import breakdown
from bench.pipeline_breakdown import render as render_breakdown
from bench.pipeline_load import StreamTiming, probe, time_streams, write_script, wrk_post
from bench.pipeline_rig import (
    BASELINE,
    DEFAULT_TARGETS,
    TARGETS,
    Gateway,
    IssuerThread,
    audit_summary,
    full_config,
    gateway_service,
    opa_binary,
    passthrough_config,
    start_opa,
    start_upstream,
    started,
)
from bench.procs import (
    REPO_ROOT,
    Service,
    background_busy,
    free_port,
    groups_cpu_seconds,
    machine_cpu_seconds,
    own_cpu_seconds,
)
from bench.proxy import positive
from bench.report import machine_info
from bench.wrk import find_wrk

RESULTS_DIR = REPO_ROOT / "bench" / "results"
SIZES = (1024, 8192)
# The issue's targets (docs/benchmarks.md, "Compliance pipeline").
GOAL_ADDED_P50_MS = 3.0  # p50 added latency, 1 KB request, every stage on
GOAL_THROUGHPUT_RATIO = 0.40  # full pipeline req/s / passthrough req/s
GOAL_TTFT_ADDED_MS = 5.0  # streaming: time to first token, added to passthrough's
_QUIET_LOG = ("no [audit] section",)  # the passthrough gateway's expected start-up warning
GOAL_TARGETS = ("full-embedded", "full-opa")  # every stage on
BUSY_LIMIT = 0.10  # fraction of all cores busy with other work that counts as quiet
LONG_RUN_S = 8  # seconds of a throughput run measured again because too few requests completed
NOISY_CORES = 0.30  # cores used by other processes during a run that make it disturbed


@dataclass(frozen=True)
class Workload:
    """A request body size and whether the answer streams."""

    size: int
    stream: bool

    @property
    def name(self) -> str:
        """E.g. '1KB-sse'."""
        return f"{self.size // 1024}KB-{'sse' if self.stream else 'json'}"


WORKLOADS = tuple(Workload(size, stream) for size in SIZES for stream in (False, True))


@dataclass
class CpuUse:
    """Cores used over one throughput run."""

    target: float = 0.0  # the gateway's process group (and OPA's for full-opa)
    upstream: float = 0.0
    driver: float = 0.0  # the harness and wrk
    other: float = 0.0  # everything else the machine did


def _sample(groups: Sequence[int]) -> tuple[float, float, float, dict[int, float]]:
    """Now: wall clock, machine busy CPU s, this process's (and wrk's) CPU s, each group's CPU s."""
    return time.monotonic(), machine_cpu_seconds()[0], own_cpu_seconds(), groups_cpu_seconds(groups)


@contextlib.contextmanager
def _cpu_meter(target: Sequence[int], upstream: int) -> Iterator[CpuUse]:
    """Yield a CpuUse filled in when the block ends."""
    use = CpuUse()
    groups = [*target, upstream]
    t0, busy0, own0, g0 = _sample(groups)
    yield use
    t1, busy1, own1, g1 = _sample(groups)
    wall = max(t1 - t0, 1e-9)
    use.target = sum(g1[p] - g0[p] for p in target) / wall
    use.upstream = (g1[upstream] - g0[upstream]) / wall
    use.driver = (own1 - own0) / wall
    use.other = max(0.0, (busy1 - busy0) / wall - use.target - use.upstream - use.driver)


@dataclass
class RoundResult:
    """One target on one workload in one round."""

    round: int
    throughput: LoadResult
    cpu: CpuUse
    latency: LoadResult | None = None
    streams: list[StreamTiming] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping (stream timings in ms)."""
        return {
            "round": self.round,
            "throughput": self.throughput.to_json(),
            "cpu_cores": {k: round(v, 3) for k, v in asdict(self.cpu).items()},
            "latency": self.latency.to_json() if self.latency else None,
            "streams_ms": [
                {k: round(v * 1000, 3) if isinstance(v, float) else v for k, v in asdict(s).items()}
                for s in self.streams
            ],
        }


@dataclass
class Target:
    """A target of this run: its gateway, its results per workload, and anything wrong."""

    gateway: Gateway
    scripts: dict[str, Path]  # workload -> wrk script
    results: dict[str, list[RoundResult]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    failed: str | None = None
    log_tail: str = ""

    @property
    def name(self) -> str:
        """The target's name."""
        return self.gateway.name

    @property
    def masked(self) -> bool:
        """Whether its upstream must see placeholders instead of the seeded values."""
        return self.name != BASELINE


@dataclass(frozen=True)
class _Run:
    wrk: str
    upstream: Service
    bodies: dict[str, bytes]
    seconds: int
    latency_seconds: int
    streams: int
    connections: int
    threads: int
    workloads: tuple[Workload, ...]
    warmup: int


def add_parser(subparsers: Any) -> None:
    """Register the `pipeline` subcommand."""
    parser = subparsers.add_parser(
        "pipeline",
        help="compliance pipeline vs passthrough: req/s, added latency, time to first token",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=positive, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--duration", type=positive, default=3, help="seconds of throughput load per run (3)"
    )
    parser.add_argument(
        "--latency-duration", type=positive, default=2, help="seconds of -c1 load per run (2)"
    )
    parser.add_argument(
        "--streams", type=positive, default=10, help="timed streams per SSE run (default 10)"
    )
    parser.add_argument(
        "--warmup", type=positive, default=1, help="seconds of warm-up per target and workload"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 round of 2 s runs, 5 streams"
    )
    parser.add_argument(
        "--targets",
        default=",".join(DEFAULT_TARGETS),
        help=f"comma-separated, of {', '.join(TARGETS)} or 'all' (default: "
        f"{','.join(DEFAULT_TARGETS)}; passthrough is always included)",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(w.name for w in WORKLOADS),
        help=f"comma-separated subset of {', '.join(w.name for w in WORKLOADS)} (default: all)",
    )
    parser.add_argument(
        "--commit-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="the full targets' audit commit_interval (default: the gateway's default, 0.01)",
    )
    parser.add_argument(
        "--connections", type=positive, default=16, help="wrk connections for throughput (16)"
    )
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=5,
        metavar="SECONDS",
        help="before each round, wait up to this long for other work to leave the CPUs idle "
        "(default 5; 0 to only measure how busy they are)",
    )
    parser.add_argument("--threads", type=positive, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--policy-cache",
        action="store_true",
        help="keep the policy decision cache on in the full targets (default off: the engine "
        "decides every exchange; the repeated benchmark input would otherwise always hit)",
    )
    parser.add_argument(
        "--piece", type=positive, default=5, help="characters per streamed chunk (default 5)"
    )
    parser.add_argument(
        "--stream-step",
        type=positive,
        default=None,
        help="the full targets' [routes.pii] stream_step (default: the gateway's, 32): how many "
        "characters a streamed answer gathers beyond its hold-back window before each scan",
    )
    parser.add_argument(
        "--pace-ms",
        type=float,
        default=2.0,
        help="paced phase: upstream sleep before each chunk, ms (default 2; 0 skips the phase)",
    )
    parser.add_argument(
        "--paced-streams", type=positive, default=5, help="streams per target in the paced phase"
    )
    parser.add_argument(
        "--breakdown-reps",
        type=int,
        default=10,
        help="exchanges per size in the in-process CPU breakdown by stage (default 10; 0 skips)",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)


def _target_names(text: str) -> list[str]:
    names = {part.strip() for part in text.split(",") if part.strip()} | {BASELINE}
    if "all" in names:
        names = set(TARGETS)
    unknown = names - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
    return [name for name in TARGETS if name in names]


def _workloads(text: str) -> tuple[Workload, ...]:
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = names - {w.name for w in WORKLOADS}
    if unknown or not names:
        raise SystemExit(f"unknown workloads: {', '.join(sorted(unknown)) or '(none given)'}")
    return tuple(w for w in WORKLOADS if w.name in names)


def _git_status() -> list[str]:
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", "gateway", "pii", "policies", "audit", "keys"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )  # fmt: skip
    return out.stdout.splitlines()


# -- setting up ------------------------------------------------------------------------------


def _build_gateways(
    names: list[str], tmp: Path, upstream: Service, issuer: IssuerThread, args: argparse.Namespace
) -> tuple[list[Gateway], dict[str, str]]:
    """The gateways to start (OPA started here for full-opa); skipped targets and why."""
    gateways: list[Gateway] = []
    skipped: dict[str, str] = {}
    for name in names:
        port, admin = free_port(), free_port()
        if name == BASELINE:
            config = passthrough_config(tmp, port, admin, upstream.port)
            gateways.append(Gateway(name, gateway_service(name, config, tmp, port), admin, None))
            continue
        helpers: list[Service] = []
        opa_url = None
        if name == "full-opa":
            binary, version = opa_binary()
            if binary is None:
                skipped[name] = version
                print(f"== {name}: SKIPPED: {version}", flush=True)
                continue
            try:
                opa = start_opa(binary, tmp)
            except RuntimeError as exc:
                skipped[name] = f"OPA did not start: {exc}"
                print(f"== {name}: SKIPPED: OPA did not start: {exc}", flush=True)
                continue
            helpers.append(opa)
            opa_url = f"http://127.0.0.1:{opa.port}"
            print(f"   OPA: {version} on {opa_url}", flush=True)
        config, audit_dir, auditor_key = full_config(
            tmp,
            name,
            (port, admin, upstream.port),
            issuer.issuer,
            opa_url=opa_url,
            policy_cache=args.policy_cache,
            audit=name != "full-noaudit",
            caller_caches=name != "full-uncached",
            commit_interval=args.commit_interval,
            stream_step=args.stream_step,
        )
        service = gateway_service(name, config, tmp, port)
        gateways.append(
            Gateway(name, service, admin, issuer.token(), audit_dir, auditor_key, helpers)
        )
    return gateways, skipped


def _prepare(targets: list[Target], run: _Run) -> None:
    """Probe every target on every workload (a wrong answer is a problem); warm up."""
    for target in targets:
        for workload in run.workloads:
            body = run.bodies[workload.name]
            gateway = target.gateway
            if problem := probe(gateway.url, body, gateway.token, masked=target.masked):
                target.problems.append(f"{workload.name}: {problem}")
                print(f"   ! {target.name} {workload.name}: {problem}", flush=True)
    for target in targets:
        print(f"   warming up {target.name}", flush=True)
        for workload in run.workloads:
            _wrk(target, workload, run, run.connections, run.warmup)


def _wrk(
    target: Target, workload: Workload, run: _Run, connections: int, seconds: int
) -> LoadResult:
    return wrk_post(
        run.wrk,
        target.gateway.url,
        target.scripts[workload.name],
        seconds=seconds,
        connections=connections,
        threads=run.threads,
    )


# -- measuring -------------------------------------------------------------------------------


def _wait_quiet(limit: int) -> float:
    """Wait up to `limit` s until other work leaves the cores nearly idle; how busy they were."""
    deadline = time.monotonic() + limit
    busy = background_busy()
    if busy > BUSY_LIMIT and limit > 0:
        print(f"   the machine is {busy:.0%} busy with other work; waiting up to {limit} s")
        while busy > BUSY_LIMIT and time.monotonic() < deadline:
            busy = background_busy()
        print(f"   {'quiet now' if busy <= BUSY_LIMIT else 'still busy'} ({busy:.0%})", flush=True)
    return busy


def _errors(load: LoadResult) -> str:
    sockets = ", ".join(f"{k} {v}" for k, v in load.socket_errors.items() if v)
    return f"{load.bad_status} error responses" + (f", socket errors: {sockets}" if sockets else "")


def _throughput(target: Target, workload: Workload, run: _Run) -> tuple[LoadResult, CpuUse]:
    """Drive `run.connections` for `run.seconds`; longer once if too few requests completed.

    When every connection's exchange takes seconds (slow streams under load), a short run ends
    before most of them complete and its req/s says little; such a run is measured again for
    LONG_RUN_S seconds and that run is kept.
    """
    seconds = run.seconds
    while True:
        with _cpu_meter(target.gateway.pgids, run.upstream.pgid) as cpu:
            load = _wrk(target, workload, run, run.connections, seconds)
        if load.requests >= 2 * run.connections or seconds >= LONG_RUN_S:
            return load, cpu
        print(
            f"   {target.name}: only {load.requests} requests completed in {seconds} s; "
            f"measuring {LONG_RUN_S} s instead",
            flush=True,
        )
        seconds = LONG_RUN_S


def _measure_workload(targets: list[Target], workload: Workload, index: int, run: _Run) -> None:
    """One round of one workload: throughput, then latency, then streams, each target in turn."""
    shift = index % len(targets)
    order = [t for t in targets[shift:] + targets[:shift] if not t.failed]
    round_no = index + 1
    print(f"-- round {round_no}, {workload.name}: {', '.join(t.name for t in order)}", flush=True)
    done: dict[str, RoundResult] = {}
    for target in order:
        try:
            load, cpu = _throughput(target, workload, run)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
            target.failed = f"round {round_no} {workload.name}: {exc}"
            print(f"   {target.name} FAILED: {exc}", flush=True)
            continue
        if load.errors:
            target.problems.append(f"round {round_no} {workload.name}: {_errors(load)}")
        done[target.name] = RoundResult(round_no, load, cpu)
        target.results.setdefault(workload.name, []).append(done[target.name])
    measured = [t for t in order if t.name in done]
    for target in measured:
        latency = _wrk(target, workload, run, 1, run.latency_seconds)
        if latency.errors:
            target.problems.append(f"round {round_no} {workload.name} -c1: {_errors(latency)}")
        done[target.name].latency = latency
    if workload.stream:
        for target in measured:
            gateway = target.gateway
            timings = time_streams(
                gateway.url, run.bodies[workload.name], gateway.token, run.streams
            )
            if bad := sum(t.status != 200 for t in timings):
                target.problems.append(f"round {round_no} {workload.name}: {bad} streams not 200")
            done[target.name].streams = timings
    for target in measured:
        print("   " + _run_line(target.name, done[target.name]), flush=True)


def _run_line(name: str, result: RoundResult) -> str:
    load, latency = result.throughput, result.latency
    line = (
        f"{name:<14} {load.rps:>7,.0f} req/s  loaded p50 {load.p50_ms:6.2f} ms  "
        f"p99 {load.p99_ms:6.2f}  |  c1 p50 {latency.p50_ms if latency else float('nan'):6.2f} "
        f"p99 {latency.p99_ms if latency else float('nan'):6.2f}"
    )
    if result.streams:
        first = statistics.median(t.first_event for t in result.streams) * 1000
        content = statistics.median(t.first_content for t in result.streams) * 1000
        line += f"  |  ttft {first:5.2f} content {content:5.2f} ms"
    cpu = result.cpu
    per = _cpu_ms(result)
    return line + (
        f"  |  cores gw {cpu.target:.2f} up {cpu.upstream:.2f} other {cpu.other:.2f}"
        f"  |  gw cpu/req {per if per is not None else float('nan'):.2f} ms"
    )


def _paced(targets: list[Target], run: _Run, pace_ms: float, count: int) -> dict[str, object]:
    """Streams of the 1 KB body with the upstream pacing its chunks: time to first content."""
    workload = Workload(SIZES[0], True)
    body = run.bodies[workload.name]
    timings: dict[str, list[StreamTiming]] = {t.name: [] for t in targets if not t.failed}
    print(f"-- paced streams: {pace_ms:g} ms before each {workload.name} chunk", flush=True)
    for _ in range(count):  # interleaved, one stream per target at a time
        for target in targets:
            if target.name in timings:
                gateway = target.gateway
                timings[target.name] += time_streams(
                    gateway.url, body, gateway.token, 1, pace_ms=pace_ms
                )
    summaries: dict[str, dict[str, float]] = {}
    for name, found in timings.items():
        summary = {
            "first_event_p50_ms": _ms(statistics.median(t.first_event for t in found)),
            "first_content_p50_ms": _ms(statistics.median(t.first_content for t in found)),
            "total_p50_ms": _ms(statistics.median(t.total for t in found)),
            "samples": len(found),
        }
        summaries[name] = summary
        print(
            f"   {name:<14} first event {summary['first_event_p50_ms']:7.2f} ms  first content "
            f"{summary['first_content_p50_ms']:7.2f} ms  end {summary['total_p50_ms']:7.2f} ms",
            flush=True,
        )
    return {"pace_ms": pace_ms, "workload": workload.name, "targets": summaries}


# -- summarising -----------------------------------------------------------------------------


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _spread(values: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def _cpu_ms(result: RoundResult) -> float | None:
    """CPU milliseconds the target (gateway, and OPA) spent per completed request."""
    load = result.throughput
    if not load.requests:
        return None
    return result.cpu.target * load.seconds / load.requests * 1000


def _median_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def _summary(runs: list[RoundResult], base: dict[int, RoundResult] | None) -> dict[str, Any]:
    """Medians over the rounds; paired ratios and differences against the baseline's rounds."""
    out: dict[str, Any] = {
        "rounds": len(runs),
        "rps": _spread([r.throughput.rps for r in runs], 1),
        "load_p50_ms": statistics.median(r.throughput.p50_ms for r in runs),
        "load_p99_ms": statistics.median(r.throughput.p99_ms for r in runs),
        "cpu_target": round(statistics.median(r.cpu.target for r in runs), 3),
        "cpu_ms_per_request": _median_or_none([_cpu_ms(r) for r in runs]),
        "cpu_other": round(statistics.median(r.cpu.other for r in runs), 3),
        "noisy_runs": sum(r.cpu.other > NOISY_CORES for r in runs),
    }
    timed = [r for r in runs if r.latency is not None]
    if timed:
        out["c1_p50_ms"] = statistics.median(r.latency.p50_ms for r in timed if r.latency)
        out["c1_p99_ms"] = statistics.median(r.latency.p99_ms for r in timed if r.latency)
    samples = [t for r in runs for t in r.streams]
    if samples:
        for key in ("first_event", "first_content", "total"):
            ordered = sorted(getattr(t, key) for t in samples)
            out[f"{key}_p50_ms"] = _ms(percentile(ordered, 50))
            out[f"{key}_p99_ms"] = _ms(percentile(ordered, 99))
    if base is None:
        return out
    paired = [(r, base[r.round]) for r in runs if r.round in base]
    if not paired:
        return out
    out["rps_ratio"] = _spread([r.throughput.rps / b.throughput.rps for r, b in paired])
    cpu = [(_cpu_ms(r), _cpu_ms(b)) for r, b in paired]
    if pairs := [(a, b) for a, b in cpu if a is not None and b]:
        out["cpu_per_request_ratio"] = _spread([a / b for a, b in pairs], 2)
    lat = [(r.latency, b.latency) for r, b in paired if r.latency and b.latency]
    if lat:
        out["added_c1_p50_ms"] = _spread([a.p50_ms - b.p50_ms for a, b in lat])
        out["added_c1_p99_ms"] = _spread([a.p99_ms - b.p99_ms for a, b in lat])
    streams = [(r.streams, b.streams) for r, b in paired if r.streams and b.streams]
    for key in ("first_event", "first_content"):
        if streams:
            out[f"added_{key}_ms"] = _spread(
                [
                    (statistics.median(getattr(t, key) for t in a)
                     - statistics.median(getattr(t, key) for t in b)) * 1000
                    for a, b in streams
                ]
            )  # fmt: skip
    return out


def _summaries(targets: list[Target]) -> dict[str, dict[str, Any]]:
    by_name = {t.name: t for t in targets}
    baseline = by_name.get(BASELINE)
    out: dict[str, dict[str, Any]] = {}
    for workload in WORKLOADS:
        base_runs = baseline.results.get(workload.name, []) if baseline else []
        base = {r.round: r for r in base_runs}
        out[workload.name] = {
            t.name: _summary(t.results[workload.name], None if t.name == BASELINE else base)
            for t in targets
            if t.results.get(workload.name)
        }
    return out


def _goals(summaries: dict[str, dict[str, Any]]) -> list[dict[str, object]]:
    """The issue's three targets, checked on the medians of the paired values."""
    goals: list[dict[str, object]] = []
    for name in GOAL_TARGETS:
        one_kb = summaries.get("1KB-json", {}).get(name, {})
        if "added_c1_p50_ms" in one_kb:
            value = one_kb["added_c1_p50_ms"]["median"]
            goals.append({
                "goal": f"p50 added latency <= {GOAL_ADDED_P50_MS:g} ms, 1 KB, every stage on",
                "target": name, "workload": "1KB-json", "value_ms": value,
                "met": value <= GOAL_ADDED_P50_MS,
            })  # fmt: skip
        for workload in WORKLOADS:
            found = summaries.get(workload.name, {}).get(name, {})
            if "rps_ratio" in found:
                ratio = found["rps_ratio"]["median"]
                goals.append({
                    "goal": f"throughput >= {GOAL_THROUGHPUT_RATIO:.0%} of passthrough",
                    "target": name, "workload": workload.name, "value": ratio,
                    "met": ratio >= GOAL_THROUGHPUT_RATIO,
                })  # fmt: skip
            if workload.stream and "added_first_event_ms" in found:
                added = found["added_first_event_ms"]["median"]
                goals.append({
                    "goal": f"time to first token within {GOAL_TTFT_ADDED_MS:g} ms of passthrough",
                    "target": name, "workload": workload.name, "value_ms": added,
                    "met": added <= GOAL_TTFT_ADDED_MS,
                })  # fmt: skip
    return goals


def _fmt_spread(found: dict[str, Any], key: str, spec: str) -> str:
    if key not in found:
        return "-"
    s = found[key]
    return f"{s['median']:{spec}} ({s['min']:{spec}}..{s['max']:{spec}})"


def render(summaries: dict[str, dict[str, Any]]) -> str:
    """Markdown tables: throughput and latency per workload; streams."""
    nan = float("nan")
    lines = [
        "| workload | target | req/s | vs passthrough | c1 p50 / p99 ms | added c1 p50 ms | "
        "added c1 p99 ms | loaded p50 / p99 ms | CPU ms/req | noisy |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload, by_target in summaries.items():
        for name, s in by_target.items():
            rps = s["rps"]
            lines.append(
                f"| {workload} | {name} | {rps['median']:,.0f} ({rps['min']:,.0f}-"
                f"{rps['max']:,.0f}) | {_fmt_spread(s, 'rps_ratio', '.2f')} | "
                f"{s.get('c1_p50_ms', nan):.2f} / {s.get('c1_p99_ms', nan):.2f} | "
                f"{_fmt_spread(s, 'added_c1_p50_ms', '.2f')} | "
                f"{_fmt_spread(s, 'added_c1_p99_ms', '.2f')} | "
                f"{s['load_p50_ms']:.1f} / {s['load_p99_ms']:.1f} | "
                f"{s['cpu_ms_per_request'] if s['cpu_ms_per_request'] is not None else nan:.2f} | "
                f"{s['noisy_runs']}/{s['rounds']} |"
            )
    lines += [
        "",
        "| workload | target | first event p50 / p99 ms | added (paired) | first content p50 ms "
        "| added (paired) | whole stream p50 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for workload, by_target in summaries.items():
        for name, s in by_target.items():
            if "first_event_p50_ms" not in s:
                continue
            lines.append(
                f"| {workload} | {name} | {s['first_event_p50_ms']:.2f} / "
                f"{s['first_event_p99_ms']:.2f} | {_fmt_spread(s, 'added_first_event_ms', '.2f')} "
                f"| {s['first_content_p50_ms']:.2f} | "
                f"{_fmt_spread(s, 'added_first_content_ms', '.2f')} | {s['total_p50_ms']:.2f} |"
            )
    return "\n".join(lines)


def _render_goals(goals: list[dict[str, object]]) -> str:
    lines = []
    for goal in goals:
        value = goal.get("value_ms", goal.get("value"))
        unit = " ms" if "value_ms" in goal else ""
        verdict = "met" if goal["met"] else "MISSED"
        where = f"{goal['target']} {goal['workload']}"
        lines.append(f"  {verdict:<6} {goal['goal']}: {where} = {value:.2f}{unit}")
    return "\n".join(lines)


# -- after the run ---------------------------------------------------------------------------


def _log_problems(service: Service) -> list[str]:
    """Warning/error lines and tracebacks the process logged (expected start-up notes aside)."""
    try:
        lines = service.log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    loud = []
    for line in lines:
        if any(quiet in line for quiet in _QUIET_LOG):
            continue
        level = ""
        if line.startswith("{"):
            with contextlib.suppress(ValueError, AttributeError):
                level = str(json.loads(line).get("level", "")).lower()
        if level in ("warning", "error", "critical") or "Traceback" in line:
            loud.append(line[:300])
    return [f"{len(loud)} warning/error log lines, e.g. {loud[0]}"] if loud else []


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    """Run the pipeline benchmark; exit status 1 when a target failed or misbehaved."""
    if args.quick:
        args.rounds, args.duration, args.latency_duration, args.streams = 1, 2, 1, 5
        args.paced_streams = 2
    names = _target_names(args.targets)
    _workloads(args.workloads)  # refuse a bad list before anything starts
    wrk = find_wrk()
    if wrk is None:
        print("wrk is not installed: run scripts/install-bench-tools (apt-get install wrk)")
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    machine = machine_info()
    dirty = _git_status()
    busy = background_busy()
    machine.update(git_status=dirty, background_busy=round(busy, 3))
    print(
        f"machine: {machine['nproc']} cores, Python {machine['python']}, aiohttp "
        f"{machine['aiohttp']}, commit {machine['git_commit']}"
        + (f" + {len(dirty)} uncommitted files" if dirty else "")
        + f"; {busy:.0%} busy before the run"
    )
    print(
        f"targets: {', '.join(names)}; {args.rounds} rounds; per run {args.duration} s at "
        f"-c{args.connections}, {args.latency_duration} s at -c1, {args.streams} streams"
    )
    bodies = {w.name: chat_body(w.size, stream=w.stream) for w in WORKLOADS}
    skipped: dict[str, str] = {}
    audits: dict[str, dict[str, object]] = {}
    paced: dict[str, object] | None = None
    stages: dict[str, dict[str, Any]] | None = None
    targets: list[Target] = []
    busy_before: list[float] = []  # machine busy before each round
    with tempfile.TemporaryDirectory(prefix="gerbang-bench-pipeline-") as tmpname:
        tmp = Path(tmpname)
        tmp.chmod(0o700)
        issuer = IssuerThread()
        upstream: Service | None = None
        try:
            upstream = start_upstream(tmp, args.piece)
            issuer.start()
            gateways, skipped = _build_gateways(names, tmp, upstream, issuer, args)
            with started(gateways):
                for gateway in gateways:
                    scripts = {}
                    for workload in WORKLOADS:
                        body_path = tmp / f"{workload.name}.json"
                        body_path.write_bytes(bodies[workload.name])
                        scripts[workload.name] = write_script(
                            tmp / f"{gateway.name}-{workload.name}.lua", body_path, gateway.token
                        )
                    targets.append(Target(gateway, scripts))
                print("   every gateway is ready; probing and warming up", flush=True)
                context = _Run(
                    wrk=wrk, upstream=upstream, bodies=bodies, warmup=args.warmup,
                    seconds=args.duration, latency_seconds=args.latency_duration,
                    streams=args.streams, connections=args.connections, threads=args.threads,
                    workloads=_workloads(args.workloads),
                )  # fmt: skip
                _prepare(targets, context)
                for index in range(args.rounds):
                    busy_before.append(round(_wait_quiet(args.wait_quiet), 3))
                    for workload in context.workloads:
                        _measure_workload(targets, workload, index, context)
                if args.pace_ms > 0:
                    paced = _paced(targets, context, args.pace_ms, args.paced_streams)
                for target in targets:
                    body = bodies["1KB-json"]
                    if problem := probe(
                        target.gateway.url, body, target.gateway.token, masked=target.masked
                    ):
                        target.problems.append(f"after the rounds: {problem}")
            for target in targets:  # stopped now: logs and audit logs are complete
                target.problems += _log_problems(target.gateway.service)
                if target.gateway.audit_dir is not None:
                    audits[target.name] = found = audit_summary(target.gateway, SEEDED)
                    if found.get("verify_exit") != 0 or found.get("seeded_values_found"):
                        target.problems.append(f"audit log: {found}")
                if target.failed:
                    target.log_tail = target.gateway.service.log_tail(20)
            if args.breakdown_reps > 0:
                print("-- CPU by stage, in-process (bench/pipeline_breakdown.py)", flush=True)
                stages = breakdown(tmp, issuer.issuer, issuer.token(), args.breakdown_reps)
        finally:
            issuer.stop()
            if upstream is not None:
                upstream.stop()
    elapsed = time.monotonic() - clock
    summaries = _summaries(targets)
    goals = _goals(summaries)
    print()
    print(render(summaries))
    if stages is not None:
        print()
        print(render_breakdown(stages))
    print("\ngoals (medians of paired per-round values):")
    print(_render_goals(goals))
    for name, why in skipped.items():
        print(f"  SKIPPED {name}: {why}")
    for name, found in audits.items():
        records = found.get("records")
        verify = "verified" if found.get("verify_exit") == 0 else "NOT VERIFIED"
        print(
            f"  audit log of {name}: {records} records, {verify}, seeded values found: "
            f"{found.get('seeded_values_found')}"
        )
    clean = True
    for target in targets:
        for problem in ([target.failed] if target.failed else []) + target.problems:
            clean = False
            print(f"  ! {target.name}: {problem}")
        if target.log_tail:
            print(f"  last log lines of {target.name}:\n{target.log_tail}")
    payload: dict[str, object] = {
        "benchmark": "pipeline",
        "method": __doc__,
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": {**machine, "wrk": wrk},
        "settings": {
            k: v for k, v in vars(args).items() if k not in ("run", "results_dir", "command")
        },
        "workloads": {
            w.name: {"body_bytes": len(bodies[w.name]), "stream": w.stream} for w in WORKLOADS
        },
        "targets": {name: TARGETS[name] for name in names},
        "skipped": skipped,
        "summaries": summaries,
        "goals": goals,
        "paced": paced,
        "cpu_by_stage_ms": stages,
        "busy_before_rounds": busy_before,
        "audit": audits,
        "problems": {t.name: ([t.failed] if t.failed else []) + t.problems for t in targets},
        "log_tails": {t.name: t.log_tail for t in targets if t.log_tail},
        "runs": {
            t.name: {w: [r.to_json() for r in runs] for w, runs in t.results.items()}
            for t in targets
        },
        "clean": clean,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"pipeline-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nresults: {path}  (run time {elapsed:.0f} s)")
    return 0 if clean else 1
