"""`python -m bench soak`: does a gateway worker's memory stay flat under sustained load?

One `gerbang serve` process with every stage on, as the `full-embedded` target of
`bench pipeline` (JWT, detection, the default bundle in the embedded engine, masking, the
response scanned and restored, the encrypted audit log), with the decision cache off so that
every exchange is decided (`--policy-cache` turns it on). wrk sends the 1 KB chat turn of
bench/chat_bodies.py, each request a new turn, in slices of `--interval` seconds for `--seconds`;
after each slice the process's resident memory (VmRSS) is read. Reported: exchanges, memory after
the first slice and at the end, and the growth per exchange over the second half of the run
(after the bounded caches have had time to fill). This is how a leak of about 15 KB per decision
was found (docs/benchmarks.md, "The scale tests"). Results to bench/results/soak-<stamp>.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.chat_bodies import chat_body
from bench.pipeline_load import write_script
from bench.pipeline_rig import (
    CHAT_PATH,
    IssuerThread,
    full_config,
    gateway_service,
    start_upstream,
    wait_http,
)
from bench.procs import REPO_ROOT, free_port, group_members
from bench.report import write_json
from bench.wrk import find_wrk, parse_wrk

RESULTS_DIR = REPO_ROOT / "bench" / "results"


def _rss_mib(pgid: int) -> float:
    """Resident memory of the process group's members, MiB."""
    total_kb = 0
    for pid in group_members(pgid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def _slice(wrk: str, url: str, script: Path, seconds: int, connections: int) -> int:
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    argv += ["-s", str(script)]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"wrk exited with status {out.returncode}: {out.stderr.strip()}")
    result = parse_wrk(out.stdout)
    if result.errors:
        raise RuntimeError(f"wrk saw {result.errors} errors")
    return result.requests


def run(args: argparse.Namespace) -> int:
    """Run the soak and print one summary; exit status 1 if the load failed."""
    wrk = find_wrk()
    if wrk is None:
        raise SystemExit("bench soak: wrk is required (scripts/install-bench-tools)")
    samples: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="gerbang-bench-soak-") as scratch:
        tmp = Path(scratch)
        issuer = IssuerThread()
        upstream = start_upstream(tmp, 5)
        service = None
        try:
            issuer_url = issuer.start()
            port, admin = free_port(), free_port()
            config, _, _ = full_config(
                tmp, "soak", (port, admin, upstream.port or 0), issuer_url,
                opa_url=None, policy_cache=args.policy_cache,
            )  # fmt: skip
            service = gateway_service("soak", config, tmp, port)
            service.start()
            wait_http(service, admin, "/readyz")
            body = tmp / "turn.json"
            body.write_bytes(chat_body(1024, stream=False))
            script = write_script(tmp / "turn.lua", body, issuer.token())
            url = f"http://127.0.0.1:{port}{CHAT_PATH}"
            exchanges, elapsed = 0, 0
            while elapsed < args.seconds:
                exchanges += _slice(wrk, url, script, args.interval, args.connections)
                elapsed += args.interval
                sample = {"seconds": elapsed, "exchanges": exchanges}
                sample["rss_mib"] = round(_rss_mib(service.pgid), 1)
                samples.append(sample)
                print(
                    f"  {elapsed:>5} s  {exchanges:>8} exchanges  {sample['rss_mib']:>7} MiB",
                    flush=True,
                )
        finally:
            if service is not None:
                service.stop()
            upstream.stop()
            issuer.stop()
    half = samples[len(samples) // 2 - 1] if len(samples) >= 2 else samples[0]
    last = samples[-1]
    per_exchange = (
        (last["rss_mib"] - half["rss_mib"])
        * 1024
        * 1024
        / max(1, last["exchanges"] - half["exchanges"])
    )
    results = {
        "benchmark": "soak",
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "settings": {
            "seconds": args.seconds,
            "interval": args.interval,
            "connections": args.connections,
            "policy_cache": args.policy_cache,
        },
        "samples": samples,
        "bytes_per_exchange_second_half": round(per_exchange),
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    write_json(args.results_dir / f"soak-{stamp}.json", results)
    print(
        f"soak: {last['exchanges']} exchanges in {last['seconds']} s; resident memory "
        f"{samples[0]['rss_mib']} MiB after the first slice, {last['rss_mib']} MiB at the end; "
        f"{per_exchange:.0f} bytes per exchange over the second half"
    )
    return 0


def add_parser(subparsers: Any) -> None:
    """Register the `soak` subcommand."""
    parser = subparsers.add_parser(
        "soak",
        help="one gateway worker under sustained load: does its memory stay flat?",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=int, default=120, help="length of the run (120)")
    parser.add_argument("--interval", type=int, default=10, help="seconds per slice (10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (4)")
    parser.add_argument(
        "--policy-cache", action="store_true", help="keep the decision cache on (default off)"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)
