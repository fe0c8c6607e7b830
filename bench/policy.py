"""`python -m bench policy`: how long one policy decision takes, per engine, with and without cache.

Configurations, each deciding the same mix of input documents (policies/bundle, the default
bundle; inputs built with policies.input as the gateway builds them):

  embedded          EmbeddedEngine.decide: regopy on the engine's own thread (what the gateway runs)
  embedded-inline   the same evaluation on the event loop's thread (decide_now), for the hop cost
  opa               OpaServerEngine.decide: HTTP to `opa run --server` on loopback (started here
                    from scripts/install-opa, or --opa URL)
  *+cache           the same engine behind a DecisionCache, inputs repeating (steady-state hits)

Method: `--rounds` rounds; in each round every configuration decides `--per-round` inputs one
after another (one client, no concurrency), in a rotated order so that no configuration always
runs first or last (interleaved: background load on a shared machine hits them all alike).
Latency is wall time around one `await decide()`; p50 and p99 over all rounds are reported, with
the spread of the per-round medians.

Loop stall: 8 concurrent callers decide uncached inputs for `--stall-seconds`, yielding to the
loop once between decisions (as an exchange does for its other I/O), while a ticker task sleeps
1 ms at a time and records how late it wakes; its p99 lateness is how long other exchanges of
the worker would wait. Measured for the embedded engine on its thread and inline.

Results go to bench/results/policy-<UTC timestamp>.json; --markdown prints the tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
CONCURRENT_CALLERS = 8

Decide = Callable[[Mapping[str, object]], Awaitable[object]]


def _inputs(count: int) -> list[dict[str, object]]:
    """A mix of allowed and refused exchanges, `count` distinct documents (distinct paths)."""
    from policies.input import build_input

    shapes: list[tuple[tuple[str, ...] | None, str, str, dict[str, tuple[int, str]]]] = [
        (("warga",), "lara", "layanan_informasi", {"ID_NIK": (1, "umum")}),
        (None, "lara", "layanan_informasi", {}),
        (("petugas_layanan",), "llm-eksternal", "ringkasan_dokumen", {"HEALTH": (1, "spesifik")}),
        (("petugas_layanan",), "llm-eksternal", "ringkasan_dokumen", {"PERSON": (3, "umum")}),
        (("petugas_dukcapil",), "verifikasi-dokumen", "verifikasi_identitas", {}),
        (("warga",), "ocr-dokumen", "digitalisasi_dokumen", {}),
        (("analis",), "lara", "pemasaran", {}),
    ]
    documents = []
    for index in range(count):
        roles, service, purpose, pii = shapes[index % len(shapes)]
        documents.append(
            build_input(
                principal=None if roles is None else {
                    "issuer": "https://sso.example.go.id/realms/layanan",
                    "subject": f"user-{index:04d}", "client_id": "portal", "roles": list(roles),
                    "groups": [], "scopes": ["openid"], "agency": "dukcapil",
                    "authenticated_by": "jwt",
                },
                route_name="bench", route_tags={"service": service}, method="POST",
                path=f"/v1/chat/completions/{index}", purpose=purpose,
                client_address="127.0.0.1", pii_request=pii,
            )
        )  # fmt: skip
    return documents


@dataclass
class Series:
    """Latencies of one configuration, per round (seconds)."""

    name: str
    rounds: list[list[float]]

    def summary(self) -> dict[str, float | int]:
        samples = sorted(s for r in self.rounds for s in r)
        medians = [statistics.median(r) for r in self.rounds if r]
        return {
            "n": len(samples),
            "p50_us": _pct(samples, 0.50) * 1e6,
            "p99_us": _pct(samples, 0.99) * 1e6,
            "round_median_min_us": min(medians) * 1e6,
            "round_median_max_us": max(medians) * 1e6,
        }


def _pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


async def _timed(decide: Decide, documents: list[dict[str, object]]) -> list[float]:
    out = []
    for document in documents:
        began = time.perf_counter()
        await decide(document)
        out.append(time.perf_counter() - began)
    return out


async def _loop_stall(decide: Decide, documents: list[dict[str, object]], seconds: float) -> float:
    """p99 lateness (seconds) of a 1 ms ticker while CONCURRENT_CALLERS callers decide."""
    stop = time.perf_counter() + seconds
    lateness: list[float] = []

    async def ticker() -> None:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            await asyncio.sleep(0.001)
            lateness.append(max(0.0, time.perf_counter() - began - 0.001))

    async def caller(offset: int) -> None:
        index = offset
        while time.perf_counter() < stop:
            await decide(documents[index % len(documents)])
            index += CONCURRENT_CALLERS
            await asyncio.sleep(0)  # the rest of an exchange: other I/O lets the loop turn

    await asyncio.gather(ticker(), *(caller(i) for i in range(CONCURRENT_CALLERS)))
    return _pct(sorted(lateness), 0.99)


@contextlib.contextmanager
def _opa_server(url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    from policies import DEFAULT_BUNDLE

    binary = (
        subprocess.run(
            [str(REPO_ROOT / "scripts" / "install-opa")], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error",
         "--disable-telemetry", "--bundle", str(DEFAULT_BUNDLE)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import urllib.request

        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=0.5).close()
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("opa did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


async def _measure(args: argparse.Namespace, opa_url: str) -> dict[str, Any]:
    from policies.cache import CachingEngine, DecisionCache
    from policies.embedded import EmbeddedEngine
    from policies.opa_server import OpaServerEngine

    documents = _inputs(args.per_round)
    embedded = EmbeddedEngine()
    opa = OpaServerEngine(opa_url, timeout=5.0)
    cached_embedded = CachingEngine(embedded, DecisionCache(100_000, 3600.0))
    cached_opa = CachingEngine(opa, DecisionCache(100_000, 3600.0))

    async def inline(document: Mapping[str, object]) -> object:
        return embedded.decide_now(document)

    configs: dict[str, Decide] = {
        "embedded": embedded.decide,
        "embedded-inline": inline,
        "opa": opa.decide,
        "embedded+cache": cached_embedded.decide,
        "opa+cache": cached_opa.decide,
    }
    try:
        for decide in configs.values():  # warm up: compile paths, connections, fill the caches
            await _timed(decide, documents)
        series = {name: Series(name, []) for name in configs}
        names = list(configs)
        for round_index in range(args.rounds):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                series[name].rounds.append(await _timed(configs[name], documents))
        stall = {
            "embedded": await _loop_stall(embedded.decide, documents, args.stall_seconds),
            "embedded-inline": await _loop_stall(inline, documents, args.stall_seconds),
        }
        hits = {"embedded+cache": cached_embedded.cache.hits, "opa+cache": cached_opa.cache.hits}
    finally:
        await opa.close()
        await embedded.close()
    return {
        "latency": {name: s.summary() for name, s in series.items()},
        "loop_stall_p99_us": {name: value * 1e6 for name, value in stall.items()},
        "cache_hits": hits,
    }


def render(results: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    lines = [
        "| configuration | p50 (µs) | p99 (µs) | per-round median range (µs) |",
        "|---|---:|---:|---:|",
    ]
    for name, s in results["latency"].items():
        lines.append(
            f"| {name} | {s['p50_us']:.0f} | {s['p99_us']:.0f} | "
            f"{s['round_median_min_us']:.0f}-{s['round_median_max_us']:.0f} |"
        )
    lines += ["", f"| event loop lateness, p99, {CONCURRENT_CALLERS} callers | µs |", "|---|---:|"]
    lines += [f"| {name} | {v:.0f} |" for name, v in results["loop_stall_p99_us"].items()]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print the tables; write the JSON results."""
    from regopy import __version__ as regopy_version

    with _opa_server(args.opa) as url:
        results = asyncio.run(_measure(args, url))
    opa_version = None
    if args.opa is None:
        binary = subprocess.run(
            [str(REPO_ROOT / "scripts" / "install-opa")], capture_output=True, text=True,
            check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        opa_version = subprocess.run(
            [binary, "version"], capture_output=True, text=True, check=True
        ).stdout.splitlines()[0]
    payload = {
        "benchmark": "policy",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {k: v for k, v in vars(args).items() if k not in ("run", "results_dir")},
        "machine": {
            "python": platform.python_version(),
            "regopy": regopy_version,
            "opa": opa_version,
            "load_average": _loadavg(),
        },
        **results,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"policy-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n")
    print(render(results) if args.markdown else json.dumps(results, indent=2))
    print(f"\nresults: {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


def _json_default(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[call-overload]
    raise TypeError(type(value).__name__)


def _loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def add_parser(subparsers: Any) -> None:
    """Register the `policy` subcommand."""
    parser = subparsers.add_parser(
        "policy",
        help="policy decision latency: embedded (regopy) vs OPA server, with and without cache",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--per-round", type=int, default=300, help="decisions per configuration and round"
    )
    parser.add_argument(
        "--stall-seconds", type=float, default=2.0, help="seconds of the loop-stall measurement"
    )
    parser.add_argument("--opa", metavar="URL", help="use this OPA server instead of starting one")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)
