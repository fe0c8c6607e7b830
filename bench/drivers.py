"""Choose the load driver: wrk when installed, else the built-in asyncio generator."""

from __future__ import annotations

from bench.load import Driver
from bench.loadgen import AsyncioDriver
from bench.wrk import WrkDriver, find_wrk

CHOICES = ("auto", "wrk", "asyncio")


def pick_driver(choice: str, *, threads: int, connections: int) -> tuple[Driver, str]:
    """The driver for `choice` and a sentence saying why it was chosen."""
    binary = find_wrk()
    if choice == "asyncio":
        return AsyncioDriver(connections=connections), "asked for with --driver asyncio"
    if binary is not None:
        return WrkDriver(binary, threads=threads, connections=connections), f"found {binary}"
    if choice == "wrk":
        raise SystemExit("--driver wrk: wrk is not installed (run scripts/install-bench-tools)")
    reason = "wrk not installed (scripts/install-bench-tools installs it); using the fallback"
    return AsyncioDriver(connections=connections), reason
