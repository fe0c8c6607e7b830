"""`python -m bench instructions`: CPU instructions per proxied request, counted by callgrind.

A deterministic complement to `python -m bench proxy`, whose throughput on a shared VM swings
by tens of percent from run to run. Each target runs under valgrind's callgrind with the same
upstream and the same configuration as in the throughput run. One keep-alive connection sends
warm-up requests, one at a time; then the target's counters are zeroed, the measured requests
are sent on the same connection, one at a time, and the counters are dumped. Instructions per
request = the dump's summary / the number of measured requests; the instruction-count ratio of
a target is bare's count divided by the target's (higher is better, 1.0 = the same cost).

What it counts: user-space instructions of the proxy process. Not kernel work (syscalls,
loopback TCP), not cache misses or instructions per cycle, and not concurrency effects: one
request at a time is not 32 connections at once (e.g. the access log batches a few lines per
50 ms here, hundreds under load). A saved syscall, like the gateway's one send for headers and a
body of known length, shows only as the user-space side of one call. Results go to
bench/results/instructions-*.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import nginx
from bench.procs import LOOPBACK, Service, wait_ready
from bench.proxy import (
    PATH,
    READY_TIMEOUT,
    RESULTS_DIR,
    log_problems,
    positive,
    start_upstream,
    target_service,
)
from bench.proxy import TARGETS as PROXY_TARGETS
from bench.report import machine_info, write_json
from bench.upstream import BODY

TARGETS = ("bare", "gateway-1w", "gateway-1w-nolog")
DEFAULT_TARGETS = ("bare", "gateway-1w")
BASELINE = "bare"
# (label, cheaper, costlier): the ratio is cheaper's instructions per request / costlier's.
_RATIOS = (
    ("gateway 1w vs bare aiohttp", "bare", "gateway-1w"),
    ("gateway 1w no log vs bare aiohttp", "bare", "gateway-1w-nolog"),
    ("gateway 1w vs gateway 1w no log (access log)", "gateway-1w-nolog", "gateway-1w"),
)
STARTUP_TIMEOUT = 180.0  # all targets start at once, each ~50x slower under valgrind
REQUEST_TIMEOUT = 60.0
SETTLE_S = 1.0  # idle time before zeroing and before dumping: finishes deferred work (log flush)
DUMP_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
HASH_SEED = "0"  # fixed str hashes: one less source of run-to-run difference
CAVEAT = (
    "note: sequential requests over one keep-alive connection measure the user-space CPU work\n"
    "per request, not concurrency effects: under the throughput run's 32 concurrent connections\n"
    "work batches differently (the access log writes hundreds of lines per flush, here a few).\n"
    "Kernel work is not counted: a saved syscall, like the gateway's one send for headers and a\n"
    "body of known length, shows only as the user-space side of one call. Throughput also\n"
    "depends on cache misses and instructions per cycle, which counts do not see."
)


def _targets(text: str) -> tuple[str, ...]:
    chosen: set[str] = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        if item == "all":
            chosen.update(TARGETS)
        elif item == "default":
            chosen.update(DEFAULT_TARGETS)
        elif item in TARGETS:
            chosen.add(item)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown target {item!r} (choose from {', '.join(TARGETS)}, all, default)"
            )
    if not chosen:
        raise argparse.ArgumentTypeError("no target given")
    return tuple(name for name in TARGETS if name in chosen)


def add_parser(subparsers: Any) -> None:
    """Register the `instructions` subcommand."""
    width = max(map(len, TARGETS))
    epilog = "targets, in order:\n" + "\n".join(
        f"  {name.ljust(width)}  {PROXY_TARGETS[name]}" for name in TARGETS
    )
    parser = subparsers.add_parser(
        "instructions",
        help="instructions per request under callgrind: gateway vs bare aiohttp (deterministic)",
        description=__doc__,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--requests", type=positive, default=1000, help="measured requests (default 1000)"
    )
    parser.add_argument(
        "--warmup-requests",
        type=positive,
        default=300,
        help="requests before the counters are zeroed (default 300)",
    )
    parser.add_argument(
        "--targets",
        type=_targets,
        default=DEFAULT_TARGETS,
        help=f"comma-separated names or all/default (default: {','.join(DEFAULT_TARGETS)})",
    )
    parser.add_argument("--upstream", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument(
        "--startup-timeout",
        type=positive,
        default=int(STARTUP_TIMEOUT),
        metavar="SECONDS",
        help="how long the targets, started together under valgrind, may take to answer "
        f"(default {STARTUP_TIMEOUT:.0f})",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class Count:
    """One target's counted instructions over the measured requests."""

    requests: int
    instructions: int  # the dump's `summary:`: instructions since the counters were zeroed
    seconds: float  # wall time of the measured requests under valgrind

    @property
    def per_request(self) -> float:
        """Instructions per request."""
        return self.instructions / self.requests


@dataclass
class Outcome:
    """What happened to one target."""

    name: str
    count: Count | None = None
    ready_s: float | None = None
    failed: str | None = None
    problems: list[str] = field(default_factory=list)
    log_tail: str = ""

    @property
    def clean(self) -> bool:
        """Counted, without failures or problems."""
        return self.count is not None and not self.failed and not self.problems

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        count = self.count
        return {
            "name": self.name,
            "description": PROXY_TARGETS[self.name],
            "status": "failed" if self.failed else "measured",
            "clean": self.clean,
            "failed": self.failed,
            "problems": self.problems,
            "instructions_per_request": None if count is None else round(count.per_request, 1),
            "instructions": None if count is None else count.instructions,
            "requests": None if count is None else count.requests,
            "measured_wall_s": None if count is None else round(count.seconds, 2),
            "ready_s": None if self.ready_s is None else round(self.ready_s, 1),
            "log_tail": self.log_tail or None,
        }


@dataclass(frozen=True)
class _Tools:
    valgrind: str
    control: str
    version: str


def _find_tools() -> _Tools | str:
    """valgrind and callgrind_control, or why they cannot be used."""
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if valgrind is None:
        return "valgrind is not installed (apt-get install valgrind)"
    if control is None:
        return "callgrind_control is not installed (it comes with valgrind; it needs perl)"
    out = subprocess.run(
        [valgrind, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return _Tools(valgrind, control, out.stdout.strip() or "unknown version")


def _requests(conn: http.client.HTTPConnection, count: int) -> None:
    """Send `count` GET PATH one after the other; each must return 200 and the upstream's body."""
    for index in range(count):
        conn.request("GET", PATH)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or body != BODY:
            raise RuntimeError(
                f"request {index + 1}: HTTP {response.status}, {len(body)} bytes: {body[:80]!r}"
            )


def _control(tools: _Tools, action: str, pid: int) -> None:
    """Run `callgrind_control ACTION PID`; it prints 'OK.' when the process did it."""
    argv = [tools.control, action, str(pid)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0 or "OK." not in out.stdout:
        text = (out.stdout + out.stderr).strip().replace("\n", " | ")
        raise RuntimeError(f"callgrind_control {action} {pid} failed: {text}")


def _read_dump(path: Path, pid: int) -> int:
    """The `summary:` of a callgrind dump (instructions since the zero), once it is complete."""
    deadline = time.monotonic() + DUMP_TIMEOUT
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        if "\ntotals:" in text or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key in ("pid", "events", "summary") and key not in fields:
            fields[key] = value.strip()
    if "summary" not in fields:
        raise RuntimeError(f"no complete callgrind dump in {path.name} after {DUMP_TIMEOUT:.0f} s")
    if fields.get("pid") != str(pid) or fields.get("events") != "Ir":
        raise RuntimeError(f"unexpected dump {path.name}: pid {fields.get('pid')}, {fields}")
    return int(fields["summary"].split()[0])


def _count(service: Service, tools: _Tools, out_dir: Path, warmup: int, requests: int) -> Count:
    """Warm up, zero the counters, send the measured requests, dump and read the counters.

    All on one keep-alive connection, kept open until after the dump, so that no connection
    setup or teardown falls into the measured window.
    """
    pid = service.pgid  # valgrind runs the program in its own process: the pid we started
    conn = http.client.HTTPConnection(LOOPBACK, service.port, timeout=REQUEST_TIMEOUT)
    try:
        _requests(conn, warmup)
        sock = conn.sock
        time.sleep(SETTLE_S)
        _control(tools, "--zero", pid)
        started = time.monotonic()
        _requests(conn, requests)
        seconds = time.monotonic() - started
        time.sleep(SETTLE_S)
        _control(tools, "--dump", pid)
        if conn.sock is not sock:
            raise RuntimeError("the connection was reopened during the measured requests")
    finally:
        conn.close()
    instructions = _read_dump(out_dir / f"cg.{pid}.1", pid)
    return Count(requests, instructions, seconds)


def _ratios(outcomes: list[Outcome]) -> list[dict[str, object]]:
    counted = {o.name: o.count for o in outcomes if o.count is not None}
    found: list[dict[str, object]] = []
    for label, cheap, costly in _RATIOS:
        a, b = counted.get(cheap), counted.get(costly)
        if a is not None and b is not None:
            found.append(
                {
                    "label": label,
                    "numerator": cheap,
                    "denominator": costly,
                    "ratio": round(a.per_request / b.per_request, 4),
                    "extra_per_request": round(b.per_request - a.per_request, 1),
                }
            )
    return found


def _render(outcomes: list[Outcome], found: list[dict[str, object]]) -> str:
    base = next((o.count for o in outcomes if o.name == BASELINE and o.count), None)
    lines = [f"{'target':<18}  {'instructions/request':>20}  {'vs bare':>18}  status"]
    for o in outcomes:
        count = o.count
        per = "-" if count is None else f"{count.per_request / 1000:,.1f}k"
        diff = ""
        if count is not None and base is not None and o.name != BASELINE:
            extra = count.per_request - base.per_request
            diff = f"{extra / 1000:+,.1f}k ({extra / base.per_request:+.1%})"
        status = "FAILED" if o.failed else "ok" if o.clean else "FLAGGED"
        lines.append(f"{o.name:<18}  {per:>20}  {diff:>18}  {status}")
    if found:
        head = "instruction-count ratio (higher is better)"
        width = max(len(head), *(len(str(r["label"])) for r in found))
        lines += ["", f"{head.ljust(width)}  ratio"]
        for r in found:
            what = f"{r['numerator']} / {r['denominator']}"
            lines.append(f"{str(r['label']).ljust(width)}  {r['ratio']:5.3f}  ({what})")
    for o in outcomes:
        lines.extend(f"! {o.name}: {p}" for p in ([o.failed] if o.failed else []) + o.problems)
    return "\n".join(lines)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _start(
    names: tuple[str, ...],
    upstream: Service,
    nginx_bin: str | None,
    tools: _Tools,
    tmp: Path,
    stack: contextlib.ExitStack,
) -> list[tuple[Outcome, Service, Path]]:
    """Start every target under callgrind at once; each gets its own output directory."""
    env = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
    started = []
    for name in names:
        out_dir = tmp / f"cg-{name}"
        out_dir.mkdir()
        wrapper = (
            tools.valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out_dir}/cg.%p",
            f"--log-file={out_dir}/valgrind.log",
        )
        service = target_service(
            name, tmp, upstream, nginx_bin, wrapper=wrapper, env=env, stop_timeout=STOP_TIMEOUT
        )
        assert isinstance(service, Service)  # only nginx can be skipped, and it is no target
        stack.callback(service.stop)
        service.start()
        started.append((Outcome(name), service, out_dir))
    return started


def _measure(
    started: list[tuple[Outcome, Service, Path]], tools: _Tools, args: argparse.Namespace
) -> None:
    """Wait for each target, count its instructions, stop it and check its log."""
    clock = time.monotonic()
    for outcome, service, out_dir in started:
        print(f"== {outcome.name}: {PROXY_TARGETS[outcome.name]}", flush=True)
        try:
            remaining = max(args.startup_timeout - (time.monotonic() - clock), 1.0)
            wait_ready(service, PATH, remaining, request_timeout=REQUEST_TIMEOUT)
            outcome.ready_s = time.monotonic() - clock
            print(f"   ready after {outcome.ready_s:.0f} s (under valgrind)", flush=True)
            count = _count(service, tools, out_dir, args.warmup_requests, args.requests)
        except (RuntimeError, OSError, http.client.HTTPException) as exc:
            outcome.failed = (
                f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else str(exc)
            )
            print(f"   FAILED: {outcome.failed}", flush=True)
        else:
            outcome.count = count
            print(
                f"   {count.per_request:,.0f} instructions/request ({count.instructions:,} over "
                f"{count.requests} requests in {count.seconds:.1f} s)",
                flush=True,
            )
        service.stop()
        outcome.problems.extend(log_problems(service))
        if not outcome.clean:
            tail = service.log_tail()
            vg_log = out_dir / "valgrind.log"
            with contextlib.suppress(OSError):
                tail += "\n-- valgrind.log:\n" + "\n".join(vg_log.read_text().splitlines()[-10:])
            outcome.log_tail = tail
            print("   last log lines:\n" + "\n".join(f"     | {x}" for x in tail.splitlines()))


def run(args: argparse.Namespace) -> int:
    """Count instructions per request; exit status 1 if a target failed, 0 if skipped."""
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    tools = _find_tools()
    if isinstance(tools, str):
        bar = "!" * 78
        print(f"{bar}\nSKIPPED: python -m bench instructions: {tools}\n{bar}", flush=True)
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    nginx_bin = nginx.find_nginx()
    machine = machine_info()
    dirty = machine["git_status_gateway"]
    changes = ""
    if isinstance(dirty, list) and dirty:
        changes = f" + uncommitted changes: {', '.join(str(line)[3:] for line in dirty)}"
    print(
        f"machine: {machine['nproc']} cores, Python {machine['python']}, "
        f"aiohttp {machine['aiohttp']}; {tools.version} (callgrind)"
    )
    print(f"code: commit {machine['git_commit']}{changes}")
    print(
        f"targets: {', '.join(args.targets)}; {args.warmup_requests} warm-up and "
        f"{args.requests} measured requests each, sequential, one keep-alive connection"
    )
    with (
        tempfile.TemporaryDirectory(prefix="gerbang-icount-") as tmpname,
        contextlib.ExitStack() as stack,
    ):
        tmp = Path(tmpname)
        upstream, upstream_label = start_upstream(args.upstream, nginx_bin, tmp)
        stack.callback(upstream.stop)
        print(f"upstream: {upstream_label} on {LOOPBACK}:{upstream.port}", flush=True)
        try:
            wait_ready(upstream, PATH, READY_TIMEOUT)
        except RuntimeError as exc:
            print(f"upstream failed: {exc}\n{upstream.log_tail()}")
            return 2
        started = _start(args.targets, upstream, nginx_bin, tools, tmp, stack)
        _measure(started, tools, args)
    elapsed = time.monotonic() - clock

    outcomes = [outcome for outcome, _, _ in started]
    found = _ratios(outcomes)
    print()
    print(_render(outcomes, found))
    print()
    print(CAVEAT)
    payload: dict[str, object] = {
        "benchmark": "instructions",
        "method": "callgrind Ir of the target process per request: sequential requests on one "
        "keep-alive connection after a warm-up; zero, measure, dump; summary / requests",
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": {**machine, "valgrind": tools.version, "upstream": upstream_label},
        "settings": {
            "requests": args.requests,
            "warmup_requests": args.warmup_requests,
            "path": PATH,
            "body_bytes": len(BODY),
            "pythonhashseed": HASH_SEED,
            "settle_s": SETTLE_S,
        },
        "targets": [o.to_json() for o in outcomes],
        "ratios": found,
        "caveat": " ".join(CAVEAT.split()),
        "clean": all(o.clean for o in outcomes),
    }
    path = args.results_dir / f"instructions-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, payload)
    print(f"\nresults: {path}  (run time {elapsed:.0f} s)")
    if not payload["clean"]:
        print("WARNING: some targets failed or had problems; see the '!' lines above")
        return 1
    return 0
