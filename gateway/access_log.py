"""The access log: one JSON line per exchange, written to stderr in batches.

An access line is a record of the exchange, not a diagnostic, so it skips the `logging` machinery
(LogRecord, handlers, locks) and a write per line: lines are collected for up to FLUSH_INTERVAL_S
and written together. It carries route, method, status, sizes and timing; never paths, query
strings, headers or bodies, which can hold personal data.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import TextIO

from gateway.exchange import Exchange

FLUSH_INTERVAL_S = 0.05
_MAX_PENDING = 512


class AccessLog:
    """Collects access lines and writes them in batches from the event loop."""

    def __init__(self, fmt: str = "json", stream: TextIO | None = None) -> None:
        self._stream = stream
        self._json = fmt == "json"
        self._pending: list[str] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._pid = os.getpid()
        self._stamp_second = -1
        self._stamp = ""

    def record(
        self, exchange: Exchange, *, route: str, method: str, status: int, elapsed: float
    ) -> None:
        """Queue one line for the exchange."""
        self._pending.append(self._format(exchange, route, method, status, elapsed))
        if len(self._pending) >= _MAX_PENDING:
            self.flush()
        elif self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(FLUSH_INTERVAL_S, self.flush)

    def _timestamp(self, now: float) -> str:
        second = int(now)
        if second != self._stamp_second:  # strftime once a second, not once a line
            self._stamp_second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((now - second) * 1000):03d}Z"

    def _format(
        self, exchange: Exchange, route: str, method: str, status: int, elapsed: float
    ) -> str:
        now = time.time()
        upstream = exchange.upstream_status
        if self._json:
            # Every string here comes from a closed alphabet (validated request ids and route
            # names, fixed methods and codes), so no JSON escaping is needed: a hot path.
            code = "null" if exchange.error_code is None else f'"{exchange.error_code}"'
            return (
                f'{{"ts": "{self._timestamp(now)}", "level": "info", "logger": "gerbang.access", '
                f'"msg": "exchange", "pid": {self._pid}, '
                f'"request_id": "{exchange.request_id}", "route": "{route}", '
                f'"method": "{method}", "status": {status}, '
                f'"upstream_status": {"null" if upstream is None else upstream}, '
                f'"error_code": {code}, '
                f'"bytes_in": {exchange.bytes_in}, "bytes_out": {exchange.bytes_out}, '
                f'"duration_ms": {elapsed * 1000:.3f}}}\n'
            )
        clock = time.strftime("%H:%M:%S", time.localtime(now))
        return (
            f"{clock} info    gerbang.access: exchange request_id={exchange.request_id} "
            f"route={route} method={method} status={status} upstream_status={upstream} "
            f"error_code={exchange.error_code} bytes_in={exchange.bytes_in} "
            f"bytes_out={exchange.bytes_out} duration_ms={elapsed * 1000:.3f}\n"
        )

    def flush(self) -> None:
        """Write every queued line now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending:
            return
        lines, self._pending = "".join(self._pending), []
        stream = self._stream or sys.stderr
        try:
            stream.write(lines)
            stream.flush()
        except (OSError, ValueError):
            pass  # stderr closed: nowhere left to report it
