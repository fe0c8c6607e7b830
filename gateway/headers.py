"""Header rules of a proxy: hop-by-hop removal (RFC 9110 7.6.1), X-Forwarded-*, X-Request-ID."""

from __future__ import annotations

import os
import random
import re

from multidict import CIMultiDict, CIMultiDictProxy, istr

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
REQUEST_ID_HEADER = istr("X-Request-ID")
X_FORWARDED_FOR = istr("X-Forwarded-For")
_X_FORWARDED_PROTO = istr("X-Forwarded-Proto")
_X_FORWARDED_HOST = istr("X-Forwarded-Host")
# Request ids need to be unique, not secret: a seeded generator avoids a syscall per exchange.
_IDS = random.Random(os.urandom(32))  # noqa: S311 - uniqueness, not secrecy
# Dropped from what is forwarded: the gateway sets these itself.
_NOT_FORWARDED_UPSTREAM = (
    *(istr(name) for name in sorted(HOP_BY_HOP)),
    istr("Host"),
    X_FORWARDED_FOR,
    _X_FORWARDED_PROTO,
    _X_FORWARDED_HOST,
    REQUEST_ID_HEADER,
)
# Credentials for the gateway itself: never passed upstream unless a route asks for Authorization.
AUTHORIZATION = istr("Authorization")
API_KEY_HEADER = istr("X-API-Key")
_CREDENTIALS = (AUTHORIZATION, API_KEY_HEADER)
_NOT_FORWARDED_WITH_AUTHORIZATION = (*_NOT_FORWARDED_UPSTREAM, API_KEY_HEADER)
_NOT_FORWARDED_UPSTREAM = (*_NOT_FORWARDED_UPSTREAM, *_CREDENTIALS)
_NOT_RETURNED = (*(istr(name) for name in sorted(HOP_BY_HOP)), REQUEST_ID_HEADER)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
# Request ids are logged and forwarded: one made only of digits and separators could be a NIK or
# a phone number, so it is replaced rather than trusted.
_NUMBER_LIKE = re.compile(r"^[0-9][0-9.:-]{7,}$")


def request_id_from(headers: CIMultiDictProxy[str]) -> str:
    """Keep a well-formed incoming X-Request-ID; otherwise make a new one."""
    incoming = headers.get(REQUEST_ID_HEADER)
    if incoming is not None and _REQUEST_ID.match(incoming) and not _NUMBER_LIKE.match(incoming):
        return incoming
    return f"{_IDS.getrandbits(128):032x}"


def _end_to_end(headers: CIMultiDictProxy[str], drop: tuple[istr, ...]) -> CIMultiDict[str]:
    """Copy the headers without `drop` and without those the Connection header names."""
    out = CIMultiDict(headers)  # copying in C, then deleting a few names, beats filtering in Python
    if "Connection" in headers:
        for value in headers.getall("Connection"):
            for token in value.split(","):
                out.popall(token.strip(), None)
    for name in drop:
        if name in out:
            del out[name]
    return out


def upstream_request_headers(
    headers: CIMultiDictProxy[str],
    *,
    client_ip: str | None,
    scheme: str,
    host: str | None,
    request_id: str,
    forward_authorization: bool = False,
) -> CIMultiDict[str]:
    """Headers to send upstream: end-to-end ones plus X-Forwarded-* and X-Request-ID.

    The caller's credentials (Authorization, X-API-Key) are dropped; Authorization is kept only
    when the route sets `forward_authorization`.
    """
    drop = _NOT_FORWARDED_WITH_AUTHORIZATION if forward_authorization else _NOT_FORWARDED_UPSTREAM
    out = _end_to_end(headers, drop)
    chain = ", ".join(headers.getall("x-forwarded-for", ()))
    if client_ip:
        chain = f"{chain}, {client_ip}" if chain else client_ip
    # These names were all dropped from `out` above, so adding never duplicates one.
    if chain:
        out.add(X_FORWARDED_FOR, chain)
    out.add(_X_FORWARDED_PROTO, scheme)
    if host:
        out.add(_X_FORWARDED_HOST, host)
    out.add(REQUEST_ID_HEADER, request_id)
    return out


def client_response_headers(headers: CIMultiDictProxy[str], *, request_id: str) -> CIMultiDict[str]:
    """Headers to return to the client: end-to-end upstream headers plus X-Request-ID."""
    out = _end_to_end(headers, _NOT_RETURNED)
    out.add(REQUEST_ID_HEADER, request_id)
    return out
