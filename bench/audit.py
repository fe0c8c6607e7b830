"""`python -m bench audit`: how fast the access log is written, verified and read.

Write: `--clients` concurrent tasks call `AuditWriter.append` in a loop for `--seconds` (each
append returns only after its batch is fsynced: group commit), with the default commit interval
unless `--commit-interval` is given. Reported: records per second, batches (fsyncs) per second,
mean records per batch, and append latency p50/p99 under that load; then append latency of one
client alone (no concurrency: the cost of one fsync plus scheduling).
Verify: `audit.verify.verify_stream` over the written log (no secret), records per second.
Read: decrypting every record with the auditor key (`audit.reader.LogReader`), records per second.
Records are synthetic, ~600 bytes of JSON each. The log goes to a temporary directory on the
disk of `--dir` (default: the system temporary directory); results to
bench/results/audit-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import write_json

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"


PII = (("request", "ID_NIK", 2), ("request", "PERSON", 1), ("response", "PHONE_NUMBER", 1))


def _record(index: int) -> Any:
    from audit.record import AuditRecord, Decision, PiiCount, Upstream

    return AuditRecord(
        time=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        request_id=f"bench-{index:09d}",
        principal="p1:" + "5e" * 32,
        client_address="192.0.2.0/24",
        route="chat",
        method="POST",
        path_template="/v1/chat/completions",
        purpose="layanan-publik",
        decision=Decision(allow=True, status=200, policy_revision="rev-1"),
        pii=tuple(
            PiiCount(side=side, type=kind, count=count, category="umum", operator="placeholder")
            for side, kind, count in PII
        ),
        status=200,
        latency_ms=41.7,
        bytes_in=812,
        bytes_out=2048,
        upstream=Upstream(status=200, outcome="ok"),
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def _write(directory: Path, args: argparse.Namespace, keys: Any) -> dict[str, Any]:
    from audit.writer import DEFAULT_COMMIT_INTERVAL, AuditWriter

    interval = DEFAULT_COMMIT_INTERVAL if args.commit_interval is None else args.commit_interval
    writer = AuditWriter(
        directory, [keys["auditor_public"]], keys["signer"], commit_interval=interval
    )
    await writer.start()
    counter = itertools.count()
    latencies: list[float] = []
    deadline = time.perf_counter() + args.seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            record = _record(next(counter))
            started = time.perf_counter()
            await writer.append(record)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(args.clients)))
    elapsed = time.perf_counter() - started
    records, batches = writer.records_written, writer.batches

    alone: list[float] = []
    for _ in range(args.alone):
        record = _record(next(counter))
        begin = time.perf_counter()
        await writer.append(record)
        alone.append(time.perf_counter() - begin)
    await writer.close()
    return {
        "commit_interval_s": interval,
        "clients": args.clients,
        "seconds": round(elapsed, 3),
        "records": records,
        "records_per_s": round(records / elapsed),
        "batches_per_s": round(batches / elapsed, 1),
        "records_per_batch": round(records / max(batches, 1), 1),
        "append_p50_ms": round(_percentile(latencies, 0.5) * 1000, 2),
        "append_p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "alone_p50_ms": round(statistics.median(alone) * 1000, 2) if alone else None,
    }


def _engine(directory: Path, keys: Any, seconds: float) -> dict[str, Any]:
    """The segment store alone: pre-serialized records in batches of 256, one fsync each."""
    from audit.store import SegmentStore

    store = SegmentStore(directory, [keys["auditor_public"]], keys["signer"])
    store.open()
    payloads = [_record(index).to_json() for index in range(256)]
    records, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        store.append(payloads)
        records += len(payloads)
    elapsed = time.perf_counter() - started
    store.close()
    return {"records_per_s": round(records / elapsed), "batch": len(payloads)}


def _verify_and_read(directory: Path, keys: Any) -> dict[str, Any]:
    from audit.reader import LogReader
    from audit.verify import verify_stream

    started = time.perf_counter()
    report = verify_stream(directory, {"bench": keys["signing_public"]})
    verify_s = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"bench audit: the log does not verify: {report.problems[0]}")
    reader = LogReader(keys["auditor_private"], keys["auditor_public"])
    started = time.perf_counter()
    count = sum(1 for _ in reader.records(directory))
    read_s = time.perf_counter() - started
    return {
        "verified_records": report.records,
        "verify_records_per_s": round(report.records / verify_s),
        "read_records_per_s": round(count / read_s),
    }


def run(args: argparse.Namespace) -> int:
    """Run the audit benchmark and print one summary."""
    from keys.algorithms import Ed25519Signer, generate_ed25519, generate_x25519

    auditor_private, auditor_public = generate_x25519()
    signer = Ed25519Signer(generate_ed25519()[0])
    keys = {
        "auditor_private": auditor_private,
        "auditor_public": auditor_public,
        "signer": lambda: ("bench", signer),
        "signing_public": signer.public_key,
    }
    base = Path(tempfile.mkdtemp(prefix="gerbang-bench-audit-", dir=args.dir))
    try:
        directory = base / "audit"
        write = asyncio.run(_write(directory, args, keys))
        write["bytes_on_disk"] = sum(p.stat().st_size for p in directory.iterdir())
        check = _verify_and_read(directory, keys)
        engine = _engine(base / "engine", keys, min(args.seconds, 2.0))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results = {
        "benchmark": "audit",
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "write": write,
        "engine": engine,
        "verify": check,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    write_json(args.results_dir / f"audit-{stamp}.json", results)
    print(
        f"write  {write['records_per_s']:>8} records/s  ({write['clients']} clients, commit "
        f"interval {write['commit_interval_s'] * 1000:g} ms, {write['batches_per_s']} fsync "
        f"batches/s, {write['records_per_batch']} records/batch)\n"
        f"       append p50 {write['append_p50_ms']} ms, p99 {write['append_p99_ms']} ms under "
        f"load; {write['alone_p50_ms']} ms p50 for one client alone\n"
        f"engine {engine['records_per_s']:>8} records/s  (segment store alone, batches of "
        f"{engine['batch']}, pre-serialized)\n"
        f"verify {check['verify_records_per_s']:>8} records/s  ({check['verified_records']} "
        "records, signatures and chains, no secret)\n"
        f"read   {check['read_records_per_s']:>8} records/s  (decrypt with the auditor key)"
    )
    return 0


def add_parser(subparsers: Any) -> None:
    """Register the `audit` subcommand."""
    parser = subparsers.add_parser(
        "audit",
        help="access log: records per second written (group commit + fsync), verified, read",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="write phase length (5)")
    parser.add_argument("--clients", type=int, default=256, help="concurrent appenders (256)")
    parser.add_argument(
        "--commit-interval", type=float, help="seconds between batches (writer default)"
    )
    parser.add_argument("--alone", type=int, default=50, help="single-client appends timed (50)")
    parser.add_argument("--dir", type=Path, help="where the temporary log goes")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.set_defaults(run=run)
