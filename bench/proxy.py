"""`python -m bench proxy`: the gateway's proxy overhead against a bare aiohttp proxy and nginx.

One run starts a fixed-answer upstream and every proxy under test up front (each its own process
on a free 127.0.0.1 port), checks and warms up each, then measures in interleaved rounds: each
round drives the same load at every target once, in turn, starting one target later each round.
It prints per-target medians and ranges, the median of the per-round (paired) throughput ratios,
and writes every run to bench/results/proxy-*.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench import nginx
from bench.cpu import cpu_meter
from bench.drivers import CHOICES as DRIVER_CHOICES
from bench.drivers import pick_driver
from bench.load import Driver, LoadResult
from bench.procs import (
    LOOPBACK,
    REPO_ROOT,
    Service,
    background_busy,
    free_port,
    groups_cpu_seconds,
    http_get,
    wait_ready,
)
from bench.report import (
    Attempt,
    RoundRun,
    TargetOutcome,
    machine_info,
    ratios,
    render,
    write_json,
)
from bench.upstream import BODY

# Name and description of every target, in the order they run.
TARGETS: dict[str, str] = {
    "direct": "no proxy: the load driver straight at the upstream (reference ceiling)",
    "nginx": "nginx reverse proxy, 1 worker, keep-alive upstream pool, access log off",
    "bare": "bare aiohttp streaming passthrough proxy (bench/bare_proxy.py), no access log",
    "gateway-1w": "Gerbang gateway, serve --workers 1, access log on (JSON to a file)",
    "gateway-1w-nolog": "Gerbang gateway, serve --workers 1, access_log = false (opt-in)",
    "gateway-2w": "Gerbang gateway, serve --workers 2, access log on (JSON to a file)",
}
DEFAULT_TARGETS = ("nginx", "bare", "gateway-1w", "gateway-2w")
_ALIASES = {
    "all": tuple(TARGETS),
    "default": DEFAULT_TARGETS,
    "gateway": ("gateway-1w", "gateway-2w"),
}
PATH = "/bench/v1/models"
READY_TIMEOUT = 30.0
BUSY_WARNING = 0.10  # fraction of all cores busy before the run that makes the numbers noisy
OTHER_CPU_WARNING = 0.15  # cores used by processes outside the benchmark during a measured run
IDLE_CPU_WARNING = 0.02  # cores a started but undriven target may use without being suspicious
IDLE_CHECK_S = 2.0
RESULTS_DIR = REPO_ROOT / "bench" / "results"


def _targets(text: str) -> tuple[str, ...]:
    chosen: set[str] = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        if item in _ALIASES:
            chosen.update(_ALIASES[item])
        elif item in TARGETS:
            chosen.add(item)
        else:
            names = ", ".join([*TARGETS, *_ALIASES])
            raise argparse.ArgumentTypeError(f"unknown target {item!r} (choose from {names})")
    if not chosen:
        raise argparse.ArgumentTypeError("no target given")
    return tuple(name for name in TARGETS if name in chosen)


def positive(text: str) -> int:
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_parser(subparsers: Any) -> None:
    """Register the `proxy` subcommand."""
    width = max(map(len, TARGETS))
    epilog = "targets, in order:\n" + "\n".join(
        f"  {name.ljust(width)}  {text}" for name, text in TARGETS.items()
    )
    parser = subparsers.add_parser(
        "proxy",
        help="proxy throughput and latency: gateway vs bare aiohttp vs nginx",
        description=__doc__,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--rounds",
        type=positive,
        default=5,
        help="rounds; each drives every target once (default 5)",
    )
    parser.add_argument(
        "--duration",
        type=positive,
        default=5,
        help="seconds of measured load per target and round (default 5)",
    )
    parser.add_argument(
        "--warmup",
        type=positive,
        default=2,
        help="seconds of warm-up load per target, once before the rounds (default 2)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 rounds of 2 s per target, 1 s warm-up"
    )
    parser.add_argument(
        "--targets",
        type=_targets,
        default=DEFAULT_TARGETS,
        help=f"comma-separated names or all/default/gateway (default: {','.join(DEFAULT_TARGETS)})",
    )
    parser.add_argument(
        "--connections", type=positive, default=32, help="concurrent connections (default 32)"
    )
    parser.add_argument("--threads", type=positive, default=2, help="wrk threads (default 2)")
    parser.add_argument("--driver", choices=DRIVER_CHOICES, default="auto")
    parser.add_argument("--upstream", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=30,
        metavar="SECONDS",
        help="before the rounds, wait up to this long for other work to leave the CPUs idle "
        "(default 30; 0 to only warn)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        help="measure a run again when other processes used the CPUs during it "
        "(default 1; the least disturbed attempt is kept)",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class _Run:
    """What every target's measurement shares."""

    tmp: Path
    upstream: Service
    nginx: str | None
    driver: Driver
    seconds: int
    warmup: int
    wait_quiet: int
    retries: int


def start_upstream(kind: str, nginx_bin: str | None, tmp: Path) -> tuple[Service, str]:
    """Start the fixed-answer upstream (`kind`: auto, nginx or aiohttp); the service and a label."""
    port = free_port()
    log = tmp / "upstream.log"
    if kind == "nginx" or (kind == "auto" and nginx_bin):
        if nginx_bin is None:
            raise SystemExit("--upstream nginx: nginx is not installed")
        prefix = tmp / "upstream"
        argv = nginx.nginx_argv(nginx_bin, prefix, nginx.upstream_conf(prefix, port))
        label = f"nginx ({nginx.nginx_version(nginx_bin)}), return 200, 1 worker"
    else:
        argv = [sys.executable, "-m", "bench.upstream", "--port", str(port)]
        label = "aiohttp (bench/upstream.py), 1 process"
    service = Service("upstream", argv, log, port=port, stop_timeout=5)
    service.start()
    return service, label


# The proxy's own overhead: every exchange allowed (decisions cached), no response rewriting.
PROXY_ONLY_POLICY = """package gerbang

decision := {"allow": true, "status": 200, "reason": "benchmark", "masking": {},
    "restore": false, "scan_response": false}
"""


def _gateway_config(
    tmp: Path, name: str, port: int, upstream_url: str, *, access_log: bool
) -> Path:
    path = tmp / f"{name}.toml"
    policy = tmp / "policy"
    policy.mkdir(exist_ok=True)
    (policy / "gerbang.rego").write_text(PROXY_ONLY_POLICY, encoding="utf-8")
    path.write_text(
        "[policy]\n"
        f'dir = "{policy}"\n'
        "[server]\n"
        f'host = "{LOOPBACK}"\n'
        f"port = {port}\n"
        "workers = 1\n"
        "shutdown_timeout = 5.0\n"
        f"access_log = {str(access_log).lower()}\n"
        "[admin]\n"
        f'host = "{LOOPBACK}"\n'
        f"port = {free_port()}\n"
        "[logging]\n"
        'level = "info"\n'
        'format = "json"\n'
        "[[routes]]\n"
        'name = "bench"\n'
        'path_prefix = "/bench"\n'
        f'upstream = "{upstream_url}"\n'
        "public = true\n"  # the proxy's own overhead: no credentials, bodies not scanned
        "pii = { scan_request = false }\n"
    )
    return path


def target_service(
    name: str,
    tmp: Path,
    upstream: Service,
    nginx_bin: str | None,
    *,
    wrapper: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    stop_timeout: float = 10.0,
) -> Service | str:
    """The (not yet started) process for target `name`, or why it is skipped.

    `wrapper` is put before the command of the Python targets (e.g. valgrind and its options).
    """
    port = free_port()
    log = tmp / f"{name}.log"
    upstream_url = f"http://{LOOPBACK}:{upstream.port}"
    if name == "nginx":
        if wrapper:
            raise ValueError("the nginx target cannot be wrapped")
        if nginx_bin is None:
            return "nginx is not installed (scripts/install-bench-tools installs it)"
        prefix = tmp / name
        text = nginx.proxy_conf(prefix, port, upstream.port)
        return Service(name, nginx.nginx_argv(nginx_bin, prefix, text), log, port=port)
    if name == "bare":
        argv = [sys.executable, "-m", "bench.bare_proxy", "--port", str(port)]
        argv += ["--upstream", upstream_url]
    else:
        workers = 2 if name == "gateway-2w" else 1
        access_log = not name.endswith("-nolog")
        conf = _gateway_config(tmp, name, port, upstream_url, access_log=access_log)
        argv = [sys.executable, "-m", "gateway", "serve", "--config", str(conf)]
        argv += ["--workers", str(workers)]
    return Service(name, [*wrapper, *argv], log, port=port, env=env, stop_timeout=stop_timeout)


def probe(port: int) -> str | None:
    """None if GET PATH through the target returns 200 and exactly the upstream's body."""
    try:
        status, body = http_get(port, PATH)
    except OSError as exc:
        return f"probe request failed: {exc}"
    if status != 200:
        return f"probe answered HTTP {status}"
    if body != BODY:
        return f"probe body differs from the upstream's ({len(body)} bytes: {body[:80]!r})"
    return None


_LOUD_LEVELS = {"warning", "warn", "error", "critical", "fatal", "exception"}
_LOUD_WORDS = ("Traceback", "[error]", "[crit]", "[alert]", "[emerg]", "[warn]")


def log_problems(service: Service) -> list[str]:
    """Warnings and errors the process logged: JSON lines with a loud level, tracebacks."""
    loud = []
    try:
        lines = service.log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        if line.startswith("{") and "level" in line:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    level = str(record.get("level") or record.get("levelname") or "")
                    if level.lower() in _LOUD_LEVELS:
                        loud.append(line)
            continue
        if any(word in line for word in _LOUD_WORDS):
            loud.append(line)
    if not loud:
        return []
    samples = "; ".join(line[:300] for line in loud[:3])
    return [f"{len(loud)} warning/error log lines, e.g. {samples}"]


def _wait_quiet(limit: int) -> None:
    """Wait up to `limit` seconds until other work leaves the cores (nearly) idle."""
    deadline = time.monotonic() + limit
    waited = False
    while (busy := background_busy()) > BUSY_WARNING:
        if time.monotonic() >= deadline:
            print(f"   WARNING: the machine is {busy:.0%} busy with other work; measuring anyway")
            return
        if not waited:
            print(f"   the machine is {busy:.0%} busy with other work; waiting up to {limit} s")
            waited = True
    if waited:
        print("   the machine is quiet now", flush=True)


def _error_problem(load: LoadResult) -> str:
    socket_errors = ", ".join(f"{k} {v}" for k, v in load.socket_errors.items() if v)
    return f"{load.errors} errors: {load.bad_status} error responses" + (
        f", socket errors: {socket_errors}" if socket_errors else ""
    )


@dataclass
class _Target:
    """A target of this run: its outcome so far and its process (None for direct)."""

    outcome: TargetOutcome
    service: Service | None
    port: int

    @property
    def name(self) -> str:
        """The target's name."""
        return self.outcome.name

    @property
    def url(self) -> str:
        """Where the load goes."""
        return f"http://{LOOPBACK}:{self.port}{PATH}"

    @property
    def active(self) -> bool:
        """Still being measured: neither skipped nor failed."""
        return not self.outcome.skipped and not self.outcome.failed

    def fail(self, why: str) -> None:
        """Mark the target failed and stop its process, so it cannot disturb the others."""
        self.outcome.failed = why
        print(f"   {self.name} FAILED: {why}", flush=True)
        if self.service is not None:
            self.service.stop()


def _start_targets(names: tuple[str, ...], run: _Run, stack: contextlib.ExitStack) -> list[_Target]:
    """Start every target's process, then wait until each answers; probe each once."""
    targets = []
    for name in names:
        outcome = TargetOutcome(name, TARGETS[name])
        service = (
            None if name == "direct" else target_service(name, run.tmp, run.upstream, run.nginx)
        )
        if isinstance(service, str):
            outcome.skipped = service
            print(f"== {name}: SKIPPED: {service}", flush=True)
            targets.append(_Target(outcome, None, 0))
            continue
        if service is None:
            targets.append(_Target(outcome, None, run.upstream.port))
            continue
        stack.callback(service.stop)  # stop() is idempotent and safe before start()
        service.start()
        targets.append(_Target(outcome, service, service.port))
    started = time.monotonic()
    for target in targets:
        if not target.active:
            continue
        print(f"== {target.name}: {target.outcome.description}", flush=True)
        if target.service is not None:
            try:
                wait_ready(target.service, PATH, READY_TIMEOUT)
            except RuntimeError as exc:
                target.fail(str(exc))
                continue
            print(f"   ready on {target.url} after {time.monotonic() - started:.1f} s")
        if problem := probe(target.port):
            target.outcome.problems.append(problem)
            print(f"   ! {problem}", flush=True)
    return targets


def _warm_up(targets: list[_Target], run: _Run) -> None:
    """Drive warm-up load at each target once; not measured."""
    for target in targets:
        if target.active:
            print(f"   warming up {target.name} for {run.warmup} s", flush=True)
            try:
                run.driver.run(target.url, run.warmup)
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                target.fail(f"warm-up: {exc}")


def _idle_check(targets: list[_Target]) -> None:
    """Check that started targets use no CPU while nobody drives them.

    During a round every target but one sits idle; whatever an idle target uses is taken from
    the measured one (and counted as disturbance), so it should be nothing.
    """
    services = [t.service for t in targets if t.active and t.service is not None]
    if not services:
        return
    pgids = [s.pgid for s in services]
    before, start = groups_cpu_seconds(pgids), time.monotonic()
    time.sleep(IDLE_CHECK_S)
    after, wall = groups_cpu_seconds(pgids), time.monotonic() - start
    parts = []
    for target in targets:
        if target.active and target.service is not None:
            pgid = target.service.pgid
            cores = (after[pgid] - before[pgid]) / wall
            target.outcome.idle_cores = cores
            parts.append(f"{target.name} {cores:.3f}")
            if cores > IDLE_CPU_WARNING:
                target.outcome.notes.append(
                    f"used {cores:.3f} cores while idle: it takes CPU from the other targets"
                )
    print(f"   idle check ({IDLE_CHECK_S:.0f} s, cores): {', '.join(parts)}", flush=True)


def _rotation(targets: list[_Target], index: int) -> list[_Target]:
    """The order of round `index` (0-based): the list rotated, so each round starts later."""
    shift = index % len(targets)
    return targets[shift:] + targets[:shift]


def _measure_run(
    target: _Target, round_no: int, position: int, idle: list[Service], run: _Run
) -> RoundRun:
    """Drive one measured run; again (up to run.retries times) if other processes disturbed it.

    Keeps the least disturbed attempt; errors of every attempt are reported.
    """
    outcome = target.outcome
    attempts: list[Attempt] = []
    for attempt in range(1, run.retries + 2):
        with cpu_meter(target.service, run.upstream, idle) as cpu:
            load = run.driver.run(target.url, run.seconds)
        attempts.append(Attempt(load, cpu))
        if load.errors:
            outcome.problems.append(f"round {round_no}, attempt {attempt}: {_error_problem(load)}")
        if cpu.disturbance <= OTHER_CPU_WARNING or attempt > run.retries:
            break
        print(
            f"   {target.name}: {load.rps:,.0f} req/s, but other processes used "
            f"{cpu.disturbance:.2f} cores: measuring again ({attempt}/{run.retries})",
            flush=True,
        )
        _wait_quiet(run.wait_quiet)
    kept = min(attempts, key=lambda a: a.cpu.disturbance)
    noisy = kept.cpu.disturbance > OTHER_CPU_WARNING
    if noisy:
        outcome.notes.append(
            f"round {round_no}: other processes used {kept.cpu.disturbance:.2f} cores during "
            "the run: that run is disturbed"
        )
    discarded = tuple(a for a in attempts if a is not kept)
    return RoundRun(round_no, position, kept, discarded, noisy)


def _run_round(targets: list[_Target], index: int, run: _Run) -> list[str]:
    """Measure every active target once, in this round's order; the order, by name."""
    order = [t for t in _rotation(targets, index) if t.active]
    round_no = index + 1
    print(f"-- round {round_no}: {', '.join(t.name for t in order)}", flush=True)
    for position, target in enumerate(order, start=1):
        if not target.active:  # failed earlier in this round
            continue
        idle = [
            t.service for t in targets if t is not target and t.active and t.service is not None
        ]
        try:
            result = _measure_run(target, round_no, position, idle, run)
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
            target.fail(f"round {round_no}: {exc}")
            continue
        target.outcome.runs.append(result)
        load, cpu = result.load, result.cpu
        retried = f"  ({len(result.discarded) + 1} attempts)" if result.discarded else ""
        print(
            f"   {target.name:<16} {load.rps:>8,.0f} req/s  p50 {load.p50_ms:6.2f} ms  "
            f"p99 {load.p99_ms:6.2f} ms  errors {load.errors}  "
            f"idle {cpu.idle_targets:.2f}  other {cpu.other:.2f}{retried}",
            flush=True,
        )
        if target.service is not None and (code := target.service.exit_code()) is not None:
            target.fail(f"process exited with status {code} during round {round_no}")
    return [t.name for t in order]


def _finish(targets: list[_Target]) -> None:
    """After the rounds: probe each target again and check it is still running."""
    for target in targets:
        if not target.active:
            continue
        if problem := probe(target.port):
            target.outcome.problems.append(f"after the rounds: {problem}")
        if target.service is not None and (code := target.service.exit_code()) is not None:
            target.outcome.problems.append(f"process exited with status {code}")


def _collect_logs(targets: list[_Target]) -> None:
    """Scan the stopped targets' logs; keep the tail of unclean targets' logs."""
    for target in targets:
        outcome, service = target.outcome, target.service
        if service is None or outcome.skipped:
            continue
        outcome.problems.extend(log_problems(service))
        if not outcome.clean:
            outcome.log_tail = service.log_tail()


def _print_outcome(outcome: TargetOutcome) -> None:
    summary = outcome.summary
    if summary is not None:
        print(
            f"== {outcome.name}: median {summary.rps:,.0f} req/s "
            f"({summary.rps_min:,.0f}-{summary.rps_max:,.0f} over {summary.runs} runs)"
        )
    for problem in ([outcome.failed] if outcome.failed else []) + outcome.problems:
        print(f"   ! {problem}")
    for note in outcome.notes:
        print(f"   note: {note}")
    if outcome.log_tail:
        print(
            "   last log lines:\n" + "\n".join(f"     | {x}" for x in outcome.log_tail.splitlines())
        )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    """Run the proxy benchmark; exit status 1 if a target failed or saw errors."""
    rounds, seconds, warmup = (2, 2, 1) if args.quick else (args.rounds, args.duration, args.warmup)
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    signal.signal(signal.SIGTERM, _terminate)
    driver, why = pick_driver(args.driver, threads=args.threads, connections=args.connections)
    nginx_bin = nginx.find_nginx()
    machine = machine_info()
    print(
        f"machine: {machine['nproc']} cores ({machine['cpu_model']}), Python {machine['python']}, "
        f"aiohttp {machine['aiohttp']}"
    )
    dirty = machine["git_status_gateway"]
    changes = ""
    if isinstance(dirty, list) and dirty:
        changes = f" + uncommitted changes: {', '.join(str(line)[3:] for line in dirty)}"
    print(f"code: commit {machine['git_commit']}{changes}")
    print(f"load driver: {driver.describe()} ({why})")
    if args.driver == "auto" and driver.name != "wrk":
        print("   NOTE: the built-in driver shares the CPU with the proxies; prefer wrk")
    print(
        f"targets: {', '.join(args.targets)}; {rounds} rounds of {seconds} s per target, "
        f"after {warmup} s warm-up each"
    )
    machine["background_busy"] = round(background_busy(), 3)

    orders: list[list[str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="gerbang-bench-") as tmpname,
        contextlib.ExitStack() as stack,
    ):
        tmp = Path(tmpname)
        upstream, upstream_label = start_upstream(args.upstream, nginx_bin, tmp)
        stack.callback(upstream.stop)
        print(f"upstream: {upstream_label} on {LOOPBACK}:{upstream.port}", flush=True)
        try:
            wait_ready(upstream, PATH, READY_TIMEOUT)
        except RuntimeError as exc:
            print(f"upstream failed: {exc}\n{upstream.log_tail()}", file=sys.stderr)
            return 2
        context = _Run(
            tmp=tmp,
            upstream=upstream,
            nginx=nginx_bin,
            driver=driver,
            seconds=seconds,
            warmup=warmup,
            wait_quiet=args.wait_quiet,
            retries=args.retries,
        )
        targets = _start_targets(args.targets, context, stack)
        _warm_up(targets, context)
        _wait_quiet(args.wait_quiet)
        _idle_check(targets)
        measurable = [t for t in targets if not t.outcome.skipped]
        for index in range(rounds):
            if not any(t.active for t in measurable):
                break
            orders.append(_run_round(measurable, index, context))
        _finish(targets)
        for target in targets:
            if target.service is not None:
                target.service.stop()
        _collect_logs(targets)  # stopped, so the logs are complete; tmp still exists
    elapsed = time.monotonic() - clock

    outcomes = [t.outcome for t in targets]
    print()
    for outcome in outcomes:
        _print_outcome(outcome)
    found = ratios(outcomes)
    print()
    print(render(outcomes, found))
    payload: dict[str, object] = {
        "benchmark": "proxy",
        "method": "interleaved rounds; per-target medians; ratios are medians of per-round pairs",
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": {**machine, "driver": driver.describe(), "upstream": upstream_label},
        "settings": {
            "rounds": rounds,
            "duration_s": seconds,
            "warmup_s": warmup,
            "connections": args.connections,
            "threads": args.threads,
            "path": PATH,
            "body_bytes": len(BODY),
            "wait_quiet_s": args.wait_quiet,
            "retries": args.retries,
        },
        "round_orders": orders,
        "targets": [o.to_json() for o in outcomes],
        "ratios": [r.to_json() for r in found],
        "clean": all(o.clean or o.skipped for o in outcomes),
    }
    path = args.results_dir / f"proxy-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, payload)
    print(f"\nresults: {path}  (run time {elapsed:.0f} s)")
    if not payload["clean"]:
        print("WARNING: some targets failed or saw errors; see the '!' lines above")
        return 1
    return 0
