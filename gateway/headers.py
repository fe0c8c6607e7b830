"""Header rules of a proxy: hop-by-hop removal (RFC 9110 7.6.1), X-Forwarded-*, X-Request-ID."""

from __future__ import annotations

import os
import random
import re

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
# Request ids need to be unique, not secret: a seeded generator avoids a syscall per exchange.
_IDS = random.Random(os.urandom(32))  # noqa: S311 - uniqueness, not secrecy


def request_id_from(headers: CIMultiDictProxy[str]) -> str:
    """Keep a well-formed incoming X-Request-ID; otherwise make a new one."""
    incoming = headers.get(REQUEST_ID_HEADER)
    if incoming is not None and _REQUEST_ID.match(incoming):
        return incoming
    return f"{_IDS.getrandbits(128):032x}"


def _end_to_end(headers: CIMultiDictProxy[str], drop: frozenset[str]) -> CIMultiDict[str]:
    """Copy the headers without `drop` and without those the Connection header names."""
    if "connection" in headers:
        named = {
            token.strip().lower()
            for value in headers.getall("connection")
            for token in value.split(",")
        }
        drop = drop | named
    out: CIMultiDict[str] = CIMultiDict()
    add = out.add
    for name, value in headers.items():
        if name.lower() not in drop:
            add(name, value)
    return out


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
