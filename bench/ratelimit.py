"""`python -m bench ratelimit`: rate-limit checks per second, in-process buckets vs Redis.

Every check takes a token from two buckets (the caller's and the service's), as a route with
both limits does; callers rotate over --callers distinct keys and the limits are high enough that
checks are admitted (the admitting path writes both buckets, the costlier one). Runs:

  memory       the in-process store, one check at a time (no I/O: the algorithm's own cost)
  redis x1     one check in flight at a time: bounded by the loopback round trip
  redis xN     --concurrency checks in flight on one event loop, as a busy worker would have

For each: checks/s, p50/p99 latency of one check, and CPU microseconds per check of this process
(and of redis-server for the Redis runs). redis-server is started on a free loopback port
(scripts/install-redis installs it). Results go to bench/results/ratelimit-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.procs import REPO_ROOT, Service, free_port, own_cpu_seconds, port_open
from bench.report import machine_info, write_json
from gateway.ratelimit.config import RouteRateLimit
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.redis_backend import RedisBuckets

RESULTS_DIR = REPO_ROOT / "bench" / "results"
ROUTE = "bench"
LIMITS = RouteRateLimit.model_validate(
    {
        "per_principal": {"rate": 1_000_000, "per": 1.0},
        "per_service": {"rate": 1_000_000, "per": 1.0},
    }
)


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "install-redis")], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


async def _measure(
    limiter: RateLimiter, callers: list[str], seconds: float, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await limiter.check(ROUTE, callers[n % len(callers)])
            latencies.append(time.perf_counter() - started)
            n += concurrency

    cpu0, wall0 = own_cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    cpu, wall = own_cpu_seconds() - cpu0, time.perf_counter() - wall0
    latencies.sort()
    return {
        "checks": len(latencies),
        "checks_per_s": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "cpu_us_per_check": 1e6 * cpu / len(latencies),
    }


async def _run(args: argparse.Namespace, redis_url: str, redis: Service) -> dict[str, Any]:
    callers = [f"principal\x1fhttps://idp.example\x1fbench-{n}" for n in range(args.callers)]
    results: dict[str, Any] = {}
    memory = RateLimiter({ROUTE: LIMITS})
    results["memory"] = await _measure(memory, callers, args.seconds, 1)
    for concurrency in (1, args.concurrency):
        limiter = RateLimiter({ROUTE: LIMITS}, RedisBuckets(redis_url, timeout=1.0))
        await _measure(limiter, callers, 0.2, concurrency)  # connect, load the script
        redis_cpu0 = redis.cpu_seconds()
        run = await _measure(limiter, callers, args.seconds, concurrency)
        run["redis_cpu_us_per_check"] = 1e6 * (redis.cpu_seconds() - redis_cpu0) / run["checks"]
        results[f"redis x{concurrency}"] = run
        await limiter.close()
    return results


def run(args: argparse.Namespace) -> int:
    """Start redis-server, measure, print a table and write the JSON results."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="gerbang-bench-redis-") as tmp:
        redis = Service(
            "redis",
            [_redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp],
            Path(tmp) / "redis.log",
            port=port,
        )  # fmt: skip
        redis.start()
        try:
            deadline = time.monotonic() + 10
            while not port_open(port):
                if time.monotonic() > deadline or redis.exit_code() is not None:
                    print(f"redis-server did not start:\n{redis.log_tail()}")
                    return 1
                time.sleep(0.05)
            results = asyncio.run(_run(args, f"redis://127.0.0.1:{port}/0", redis))
        finally:
            redis.stop()
    print(f"{'store':12} {'checks/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/check':>13}")
    for name, r in results.items():
        cpu = f"{r['cpu_us_per_check']:.1f}"
        if "redis_cpu_us_per_check" in r:
            cpu += f" +{r['redis_cpu_us_per_check']:.1f}"
        print(
            f"{name:12} {r['checks_per_s']:10.0f} {r['p50_ms']:8.3f} {r['p99_ms']:8.3f} {cpu:>13}"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"ratelimit-{stamp}.json"
    write_json(
        path,
        {
            "benchmark": "ratelimit",
            "seconds": args.seconds,
            "callers": args.callers,
            "concurrency": args.concurrency,
            "results": results,
            "machine": machine_info(),
        },
    )
    print(f"results: {path.relative_to(REPO_ROOT)}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register the `ratelimit` subcommand."""
    parser = subparsers.add_parser(
        "ratelimit",
        help="rate-limit checks per second: in-process buckets vs Redis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per run (default 3)")
    parser.add_argument(
        "--callers", type=int, default=1000, help="distinct callers rotated (default 1000)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="checks in flight for the last run (32)"
    )
    parser.set_defaults(run=run)
