"""Stage: find personal data in the request's text fields, off the event loop.

Detection is CPU work; it runs in a small thread pool so one large body cannot stall the other
exchanges of this worker. Any failure (including a pattern running out of time) refuses the
exchange: an error must never read as "nothing found". Texts the same caller sent before (a
conversation's history, a system prompt) take their findings from the `FindingsCache`; only the
others are scanned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from gateway.errors import DetectionFailed
from gateway.exchange import Exchange
from gateway.findings_cache import FindingsCache, Lookup
from pii.engine import PiiEngine
from pii.findings import Finding

LOG = logging.getLogger("gerbang.detect")


class Detect:
    """Runs the PII engine over every text field of the request body."""

    def __init__(
        self, engine: PiiEngine, executor: ThreadPoolExecutor, cache: FindingsCache | None = None
    ) -> None:
        self._engine = engine
        self._executor = executor
        self._cache = cache

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Fill `exchange.request_findings` (one tuple of findings per text field)."""
        fields = exchange.request_fields
        if fields is None or not fields.texts:
            return None
        assert exchange.match is not None
        language = exchange.match.route.pii.language
        texts = fields.texts
        if self._cache is None:
            lookup = Lookup.uncached(len(texts))
        else:
            lookup = self._cache.lookup(exchange.principal, language, texts)
        try:
            if missing := lookup.missing:
                loop = asyncio.get_running_loop()
                found = await loop.run_in_executor(
                    self._executor,
                    analyze_all,
                    self._engine,
                    [texts[i] for i in missing],
                    language,
                )
                lookup.fill(missing, found)
            exchange.request_findings = lookup.result()
        except Exception as exc:
            LOG.error(
                "detection failed",
                extra={"request_id": exchange.request_id, "error_type": type(exc).__name__},
            )
            raise DetectionFailed() from None
        return None


def analyze_all(
    engine: PiiEngine, texts: Sequence[str], language: str
) -> tuple[tuple[Finding, ...], ...]:
    """Findings for each text, in order (runs in a worker thread)."""
    return tuple(tuple(engine.analyze(text, language)) for text in texts)
