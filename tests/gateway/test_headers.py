"""Header rules: hop-by-hop removal, X-Forwarded-*, X-Request-ID."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.headers import client_response_headers, request_id_from, upstream_request_headers


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def upstream(*pairs: tuple[str, str]) -> CIMultiDict[str]:
    return upstream_request_headers(
        headers(*pairs), client_ip="192.0.2.10", scheme="https", host="gw.test", request_id="r1"
    )


@pytest.mark.parametrize(
    "name",
    ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
     "Upgrade", "Proxy-Authorization", "Proxy-Authenticate", "Host"],
)  # fmt: skip
def test_when_a_hop_by_hop_header_is_sent_then_it_is_not_forwarded(name: str) -> None:
    assert name not in upstream((name, "x"), ("X-Keep", "1"))
    assert upstream((name, "x"), ("X-Keep", "1"))["X-Keep"] == "1"


def test_when_connection_names_headers_then_those_are_dropped_too() -> None:
    out = upstream(("Connection", "close, X-A"), ("Connection", "x-b"), ("X-A", "1"), ("X-B", "2"))
    assert "X-A" not in out
    assert "X-B" not in out


def test_when_response_has_hop_by_hop_headers_then_client_does_not_get_them() -> None:
    out = client_response_headers(
        headers(("Connection", "X-A"), ("X-A", "1"), ("Transfer-Encoding", "chunked"),
                ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Request-ID", "upstream-id")),
        request_id="ours",
    )  # fmt: skip
    assert "X-A" not in out
    assert "Transfer-Encoding" not in out
    assert out.getall("Set-Cookie") == ["a=1", "b=2"]
    assert out.getall("X-Request-ID") == ["ours"]


def test_when_forwarding_then_client_address_is_appended_to_the_chain() -> None:
    out = upstream(("X-Forwarded-For", "203.0.113.1"), ("X-Forwarded-For", "198.51.100.2"))
    assert out.getall("X-Forwarded-For") == ["203.0.113.1, 198.51.100.2, 192.0.2.10"]
    assert out["X-Forwarded-Proto"] == "https"
    assert out["X-Forwarded-Host"] == "gw.test"
    assert out["X-Request-ID"] == "r1"


@pytest.mark.parametrize("value", ["abc", "0f8e-11:22.33_x", "A" * 128])
def test_when_request_id_is_well_formed_then_it_is_kept(value: str) -> None:
    assert request_id_from(headers(("X-Request-ID", value))) == value


@pytest.mark.parametrize(
    "value",
    ["", " a", "a b", "A" * 129, "é", "a\tb", "-x", "a/b", "3273012505900001", "0812-3456-7890"],
)
def test_when_request_id_is_malformed_then_a_fresh_one_is_made(value: str) -> None:
    made = request_id_from(headers(("X-Request-ID", value)))
    assert made != value
    assert len(made) == 32
    assert made != request_id_from(headers(("X-Request-ID", value)))


@pytest.mark.parametrize("name", ["Authorization", "X-API-Key"])
def test_when_the_caller_sends_credentials_then_they_are_not_forwarded(name: str) -> None:
    assert name not in upstream((name, "Bearer synthetic-token"), ("X-Keep", "1"))


def test_when_a_route_forwards_authorization_then_only_authorization_passes() -> None:
    sent = upstream_request_headers(
        headers(("Authorization", "Bearer synthetic"), ("X-API-Key", "synthetic-key")),
        client_ip=None,
        scheme="http",
        host=None,
        request_id="r1",
        forward_authorization=True,
    )
    assert sent["Authorization"] == "Bearer synthetic"
    assert "X-API-Key" not in sent
