"""Route matching: which route a request belongs to and where it is forwarded."""

from __future__ import annotations

import pytest

from gateway.config import config_from_mapping
from gateway.errors import BadRequest, RouteNotFound
from gateway.routes import RouteTable


def table(*routes: dict[str, object]) -> RouteTable:
    return RouteTable(
        config_from_mapping({"routes": [{**r, "public": True} for r in routes]}).routes
    )


CHAT = {"name": "chat", "path_prefix": "/v1", "upstream": "http://10.0.0.5:8000"}
OCR = {
    "name": "ocr",
    "path_prefix": "/ocr/",
    "upstream": "https://ocr.internal/api/v2/",
    "strip_prefix": True,
}
CATCH_ALL = {"name": "all", "path_prefix": "/", "upstream": "http://fallback"}
BY_HOST = {
    "name": "host",
    "path_prefix": "/v1",
    "host": "chat.dukcapil.test",
    "upstream": "http://h",
}


@pytest.mark.parametrize(
    ("host", "path", "query", "route", "url"),
    [
        (None, "/v1", "", "chat", "http://10.0.0.5:8000/v1"),
        (None, "/v1/chat/completions", "", "chat", "http://10.0.0.5:8000/v1/chat/completions"),
        (None, "/v1/x", "a=1&a=2", "chat", "http://10.0.0.5:8000/v1/x?a=1&a=2"),
        (None, "/v1x", "", "all", "http://fallback/v1x"),
        (None, "/ocr", "", "ocr", "https://ocr.internal/api/v2/"),
        (None, "/ocr/ktp/scan", "", "ocr", "https://ocr.internal/api/v2/ktp/scan"),
        (None, "/ocr/a%20b", "q=%2F", "ocr", "https://ocr.internal/api/v2/a%20b?q=%2F"),
        ("chat.dukcapil.test", "/v1/x", "", "host", "http://h/v1/x"),
        ("CHAT.dukcapil.test:8443", "/v1/x", "", "host", "http://h/v1/x"),
        ("other.test", "/v1/x", "", "chat", "http://10.0.0.5:8000/v1/x"),
        (None, "//evil.example/x", "", "all", "http://fallback//evil.example/x"),
    ],
)
def test_when_a_request_matches_then_route_and_upstream_url_are_right(
    host: str | None, path: str, query: str, route: str, url: str
) -> None:
    match = table(CHAT, OCR, CATCH_ALL, BY_HOST).match(host, path, query)
    assert match.route.name == route
    assert str(match.upstream_url) == url
    # A path that looks like an authority never changes the upstream host.
    assert match.upstream_url.host == match.route.upstream_url.host


@pytest.mark.parametrize("path", ["/v2", "/", "/v1x", "/V1"])
def test_when_nothing_matches_then_route_not_found(path: str) -> None:
    with pytest.raises(RouteNotFound):
        table(CHAT).match(None, path, "")


def test_when_only_a_host_route_exists_and_host_differs_then_route_not_found() -> None:
    with pytest.raises(RouteNotFound):
        table(BY_HOST).match("other.test", "/v1", "")


@pytest.mark.parametrize(
    "path", ["/v1/../admin", "/v1/./x", "/v1/%2e%2E/x", "/v1/..%5c..", "/v1/..\\x", "/v1/.."]
)
def test_when_path_has_dot_segments_then_bad_request(path: str) -> None:
    with pytest.raises(BadRequest):
        table(CHAT, CATCH_ALL).match(None, path, "")


@pytest.mark.parametrize("path", ["/v1/...", "/v1/.well-known/x", "/v1/file.json", "/v1/a..b"])
def test_when_dots_are_part_of_a_name_then_the_path_is_fine(path: str) -> None:
    assert table(CHAT).match(None, path, "").route.name == "chat"


def test_when_target_is_not_an_absolute_path_then_bad_request() -> None:
    with pytest.raises(BadRequest):
        table(CATCH_ALL).match(None, "http://other/x", "")
