"""Header rules of a proxy: hop-by-hop removal (RFC 9110 7.6.1), X-Forwarded-*, X-Request-ID."""

from __future__ import annotations

import re
import uuid

from multidict import CIMultiDict, CIMultiDictProxy

# Hop-by-hop fields (RFC 9110 7.6.1 and the RFC 2616 list proxies still strip). Host is not
# hop-by-hop but is set by the upstream client from the upstream URL.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "proxy-connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "proxy-authorization",
    }
)
_NOT_FORWARDED_UPSTREAM = HOP_BY_HOP | {
    "host",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-request-id",
}
_NOT_RETURNED = HOP_BY_HOP | {"x-request-id"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

REQUEST_ID_HEADER = "X-Request-ID"


def request_id_from(headers: CIMultiDictProxy[str]) -> str:
    """Keep a well-formed incoming X-Request-ID; otherwise make a new one."""
    incoming = headers.get(REQUEST_ID_HEADER)
    if incoming is not None and _REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def _connection_tokens(headers: CIMultiDictProxy[str]) -> set[str]:
    """Header names listed in Connection, which are hop-by-hop for this message only."""
    tokens: set[str] = set()
    for value in headers.getall("connection", ()):
        tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
    return tokens


def _end_to_end(headers: CIMultiDictProxy[str], drop: frozenset[str]) -> CIMultiDict[str]:
    named = _connection_tokens(headers) if "connection" in headers else ()
    return CIMultiDict(
        (k, v) for k, v in headers.items() if k.lower() not in drop and k.lower() not in named
    )


def upstream_request_headers(
    headers: CIMultiDictProxy[str],
    *,
    client_ip: str | None,
    scheme: str,
    host: str | None,
    request_id: str,
) -> CIMultiDict[str]:
    """Headers to send upstream: end-to-end ones plus X-Forwarded-* and X-Request-ID."""
    out = _end_to_end(headers, _NOT_FORWARDED_UPSTREAM)
    chain = ", ".join(headers.getall("x-forwarded-for", ()))
    if client_ip:
        chain = f"{chain}, {client_ip}" if chain else client_ip
    if chain:
        out["X-Forwarded-For"] = chain
    out["X-Forwarded-Proto"] = scheme
    if host:
        out["X-Forwarded-Host"] = host
    out[REQUEST_ID_HEADER] = request_id
    return out


def client_response_headers(headers: CIMultiDictProxy[str], *, request_id: str) -> CIMultiDict[str]:
    """Headers to return to the client: end-to-end upstream headers plus X-Request-ID."""
    out = _end_to_end(headers, _NOT_RETURNED)
    out[REQUEST_ID_HEADER] = request_id
    return out
