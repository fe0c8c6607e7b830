"""The wrk load driver: run `wrk --latency` and parse its report."""

from __future__ import annotations

import re
import shutil
import subprocess

from bench.load import LoadResult

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(rf"^\s*(\d+) requests in {_TIME}", re.MULTILINE)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_MS[unit]


def _latency_percentile(text: str, label: str) -> float:
    match = re.search(rf"^\s+{re.escape(label)}\s+{_TIME}\s*$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk output has no {label} latency (was --latency given?)")
    return _to_ms(match.group(1), match.group(2))


def parse_wrk(text: str) -> LoadResult:
    """Turn the report of `wrk --latency` into a LoadResult; ValueError if it is not one."""
    rps = _RPS.search(text)
    total = _TOTAL.search(text)
    if rps is None or total is None:
        raise ValueError(f"not a wrk report:\n{text}")
    socket_errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    if sock := _SOCKET.search(text):
        socket_errors = dict(zip(socket_errors, map(int, sock.groups()), strict=True))
    bad = _NON_2XX.search(text)
    return LoadResult(
        driver="wrk",
        seconds=_to_ms(total.group(2), total.group(3)) / 1000,
        requests=int(total.group(1)),
        rps=float(rps.group(1)),
        p50_ms=_latency_percentile(text, "50%"),
        p99_ms=_latency_percentile(text, "99%"),
        bad_status=int(bad.group(1)) if bad else 0,
        socket_errors=socket_errors,
    )


def find_wrk() -> str | None:
    """The wrk binary on PATH, if any."""
    return shutil.which("wrk")


class WrkDriver:
    """Load from `wrk -tT -cC -dDs --latency URL`."""

    name = "wrk"

    def __init__(self, binary: str, *, threads: int, connections: int) -> None:
        self.binary = binary
        self.threads = threads
        self.connections = connections

    def version(self) -> str:
        """E.g. 'wrk 4.1.0 [epoll]'."""
        out = subprocess.run(
            [self.binary, "-v"], capture_output=True, text=True, timeout=10, check=False
        )
        first = (out.stdout or out.stderr).strip().splitlines()
        return first[0].split(" Copyright")[0] if first else "wrk (unknown version)"

    def describe(self) -> str:
        """The version and the load shape."""
        return f"{self.version()} -t{self.threads} -c{self.connections}"

    def run(self, url: str, seconds: int) -> LoadResult:
        """Run wrk for `seconds` (killed if it overruns by 30 s)."""
        argv = [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--latency",
            url,
        ]
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
        if out.returncode != 0:
            raise RuntimeError(f"wrk exited with status {out.returncode}: {out.stderr.strip()}")
        return parse_wrk(out.stdout)
