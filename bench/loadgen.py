"""The built-in load driver, used when wrk is absent: aiohttp clients on one asyncio loop.

It runs inside the harness process and costs more CPU per request than wrk, so on a small
machine it takes CPU from the proxy under test: compare numbers only within one driver.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bench.load import LoadResult, percentile


class AsyncioDriver:
    """Keep `connections` keep-alive connections busy with GETs for a fixed time."""

    name = "asyncio"

    def __init__(self, *, connections: int) -> None:
        self.connections = connections

    def describe(self) -> str:
        """The load shape."""
        return f"built-in asyncio/aiohttp {aiohttp.__version__} -c{self.connections}"

    def run(self, url: str, seconds: int) -> LoadResult:
        """Drive load for `seconds`."""
        return asyncio.run(self._drive(url, seconds))

    async def _drive(self, url: str, seconds: int) -> LoadResult:
        latencies: list[float] = []
        counts = {"bad_status": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
        connector = aiohttp.TCPConnector(limit=self.connections)
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, auto_decompress=False
        ) as session:
            start = time.perf_counter()
            deadline = start + seconds

            async def worker() -> None:
                while (t0 := time.perf_counter()) < deadline:
                    try:
                        async with session.get(url) as response:
                            await response.read()
                            if response.status >= 400:
                                counts["bad_status"] += 1
                    except aiohttp.ClientConnectorError:
                        counts["connect"] += 1
                        await asyncio.sleep(0.01)
                        continue
                    except TimeoutError:
                        counts["timeout"] += 1
                        continue
                    except aiohttp.ClientError:
                        counts["read"] += 1
                        continue
                    latencies.append(time.perf_counter() - t0)

            await asyncio.gather(*(worker() for _ in range(self.connections)))
            elapsed = time.perf_counter() - start
        latencies.sort()
        return LoadResult(
            driver=self.name,
            seconds=elapsed,
            requests=len(latencies),
            rps=len(latencies) / elapsed,
            p50_ms=percentile(latencies, 50) * 1000,
            p99_ms=percentile(latencies, 99) * 1000,
            bad_status=counts.pop("bad_status"),
            socket_errors=counts,
        )
