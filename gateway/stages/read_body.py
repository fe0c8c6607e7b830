"""Stage: read the request body whole (within the route's limit) and decode it into text fields.

Routes that scan requests (the default) hold the body until it is scanned: nothing reaches the
upstream before detection and masking. A body the gateway cannot scan is refused with 415, unless
the route sets `unscannable = "passthrough"`; then the policy sees `scanned: false` and decides.
"""

from __future__ import annotations

from aiohttp import hdrs, web

from gateway.bodies import JsonSelection, decode_content, text_fields
from gateway.errors import BodyTooLarge, UnsupportedMediaType
from gateway.exchange import Exchange


class ReadBody:
    """Buffers and decodes the request body of routes that scan requests."""

    def __init__(self) -> None:
        self._selections: dict[str, JsonSelection] = {}

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Fill `exchange.body` and `exchange.request_fields`; 400/413/415 on bad bodies."""
        assert exchange.match is not None
        route = exchange.match.route
        if not route.pii.scan_request:
            return None
        request = exchange.request
        limit = route.max_body_bytes
        raw = await _read_limited(exchange, limit) if request.body_exists else b""
        exchange.body = decode_content(raw, request.headers.get(hdrs.CONTENT_ENCODING), limit)
        exchange.body_decoded = hdrs.CONTENT_ENCODING in request.headers
        if not exchange.body:
            exchange.request_scanned = True
            return None
        selection = self._selection(route.name, route.pii.json_include, route.pii.json_exclude)
        try:
            exchange.request_fields = text_fields(
                exchange.body, request.headers.get(hdrs.CONTENT_TYPE), selection
            )
        except UnsupportedMediaType:
            if route.pii.unscannable != "passthrough":
                raise
            return None
        exchange.request_scanned = True
        return None

    def _selection(
        self, route: str, include: tuple[str, ...], exclude: tuple[str, ...]
    ) -> JsonSelection:
        selection = self._selections.get(route)
        if selection is None:
            selection = self._selections[route] = JsonSelection.parse(include, exclude)
        return selection


async def _read_limited(exchange: Exchange, limit: int) -> bytes:
    chunks: list[bytes] = []
    async for chunk in exchange.request.content.iter_any():
        exchange.bytes_in += len(chunk)
        if exchange.bytes_in > limit:
            exchange.body_too_large = True
            raise BodyTooLarge(f"the body exceeded {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
