"""The proxy end to end in one process: a real gateway app in front of a real upstream server."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry
from yarl import URL

from gateway.app import ProxyService
from gateway.config import GatewayConfig, config_from_mapping
from gateway.metrics import ProxyMetrics
from tests.gateway.process import plain, route
from tests.gateway.proxy_server import ProxyTestServer
from tests.gateway.upstream_app import GZIPPED, UpstreamState, create_upstream

PROBLEM = "application/problem+json"


@dataclass
class Rig:
    """A gateway client, the upstream's state and the gateway's metrics registry."""

    client: TestClient[Any, Any]
    upstream: UpstreamState
    upstream_url: str
    registry: CollectorRegistry

    def count(self, route: str, status: str, method: str = "GET") -> float:
        value = self.registry.get_sample_value(
            "gerbang_requests_total", {"route": route, "method": method, "status": status}
        )
        return value or 0.0


RigFactory = Callable[..., Awaitable[Rig]]


GatewayClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def gateway_client(aiohttp_client: Any) -> AsyncIterator[GatewayClientFactory]:
    """Starts the gateway's proxy for a config and returns a client for it."""
    proxies: list[ProxyService] = []

    async def start(
        config: GatewayConfig, registry: CollectorRegistry | None = None
    ) -> TestClient[Any, Any]:
        proxy = ProxyService(config, ProxyMetrics(registry or CollectorRegistry()))
        await proxy.start()
        proxies.append(proxy)
        client: TestClient[Any, Any] = await aiohttp_client(
            ProxyTestServer(proxy), auto_decompress=False
        )
        return client

    yield start
    for proxy in proxies:
        await proxy.close()


@pytest.fixture
async def rig(aiohttp_server: Any, gateway_client: GatewayClientFactory) -> RigFactory:
    """Builds a gateway in front of a fresh upstream with the given routes (upstream filled in)."""

    async def build(routes: list[dict[str, Any]] | None = None) -> Rig:
        state = UpstreamState()
        upstream: TestServer = await aiohttp_server(create_upstream(state))
        upstream_url = str(upstream.make_url("")).rstrip("/")
        route_tables = routes or [{"name": "svc", "path_prefix": "/"}]
        for table in route_tables:
            table.setdefault("upstream", upstream_url)
            table.setdefault("public", True)  # plain proxying: credentials, scanning tested apart
            table.setdefault("pii", {"scan_request": False})
        config = config_from_mapping(plain({"routes": route_tables}))
        registry = CollectorRegistry()
        client = await gateway_client(config, registry)
        return Rig(client, state, upstream_url, registry)

    return build


async def echo_json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


def header_values(echoed: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in echoed["headers"] if k.lower() == name.lower()]


# --- methods, paths, queries, headers ---------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])
async def test_when_any_method_is_used_then_upstream_receives_it(rig: RigFactory, method: str):
    r = await rig()
    async with r.client.request(
        method, "/echo/x", data=b"isi" if method != "GET" else None
    ) as resp:
        echoed = await echo_json(resp)
    assert echoed["method"] == method


async def test_when_head_is_used_then_headers_come_back_without_body(rig: RigFactory):
    r = await rig()
    async with r.client.head("/echo/x") as resp:
        assert resp.status == 200
        assert resp.headers["X-Upstream"] == "echo"
        assert await resp.read() == b""


@pytest.mark.parametrize(
    "target",
    [
        "/echo/a/b?x=1&x=2&y=",
        "/echo/ruang%20tunggu?q=akta%20kelahiran&kode=%2F%3F",
        "/echo/%E2%9C%93?utf8=%E2%9C%93",
        "/echo/no-query",
    ],
)
async def test_when_path_and_query_are_sent_then_upstream_gets_them_byte_for_byte(
    rig: RigFactory, target: str
):
    r = await rig()
    async with r.client.get(URL(target, encoded=True)) as resp:
        echoed = await echo_json(resp)
    path, _, query = target.partition("?")
    assert echoed["path"] == path
    assert echoed["query"] == query


async def test_when_end_to_end_headers_are_sent_then_all_values_are_forwarded(rig: RigFactory):
    r = await rig()
    headers = [("X-Agency", "dukcapil"), ("Accept", "application/json"), ("X-Multi", "a")]
    headers.append(("X-Multi", "b"))
    async with r.client.get("/echo", headers=headers) as resp:
        echoed = await echo_json(resp)
    assert header_values(echoed, "X-Agency") == ["dukcapil"]
    assert header_values(echoed, "Accept") == ["application/json"]
    assert header_values(echoed, "X-Multi") == ["a", "b"]


async def test_when_client_sends_hop_by_hop_headers_then_upstream_never_sees_them(rig: RigFactory):
    r = await rig()
    headers = {
        "Connection": "X-Internal-Hop",
        "X-Internal-Hop": "secret-for-this-hop",
        "Keep-Alive": "timeout=5",
        "TE": "trailers",
        "Proxy-Authorization": "Basic c3ludGhldGlj",
        "Upgrade": "websocket",
        "X-Kept": "yes",
    }
    async with r.client.get("/echo", headers=headers) as resp:
        echoed = await echo_json(resp)
    names = {k.lower() for k, _ in echoed["headers"]}
    for dropped in ("x-internal-hop", "keep-alive", "te", "proxy-authorization", "upgrade"):
        assert dropped not in names
    assert header_values(echoed, "Connection") in ([], ["keep-alive"])
    assert header_values(echoed, "X-Kept") == ["yes"]


async def test_when_upstream_sends_hop_by_hop_headers_then_client_never_sees_them(
    rig: RigFactory,
):
    r = await rig()
    async with r.client.get("/hop") as resp:
        assert resp.status == 200
        for dropped in ("X-Hop-Only", "Keep-Alive", "Proxy-Authenticate", "Trailer"):
            assert dropped not in resp.headers
        assert resp.headers["X-End-To-End"] == "kept"
        assert resp.headers.getall("Set-Cookie") == ["a=1", "b=2"]


async def test_when_proxied_then_forwarded_headers_describe_the_client(rig: RigFactory):
    r = await rig()
    async with r.client.get("/echo", headers={"X-Forwarded-For": "198.51.100.7"}) as resp:
        echoed = await echo_json(resp)
    assert header_values(echoed, "X-Forwarded-For") == ["198.51.100.7, 127.0.0.1"]
    assert header_values(echoed, "X-Forwarded-Proto") == ["http"]
    host = f"{r.client.host}:{r.client.port}"
    assert header_values(echoed, "X-Forwarded-Host") == [host]
    assert header_values(echoed, "Host") == [r.upstream_url.removeprefix("http://")]


async def test_when_client_spoofs_forwarded_proto_and_host_then_gateway_overwrites_them(
    rig: RigFactory,
):
    r = await rig()
    spoof = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    async with r.client.get("/echo", headers=spoof) as resp:
        echoed = await echo_json(resp)
    assert header_values(echoed, "X-Forwarded-Proto") == ["http"]
    assert header_values(echoed, "X-Forwarded-Host") != ["evil.example"]


async def test_when_request_id_is_valid_then_it_is_kept_upstream_and_returned(rig: RigFactory):
    r = await rig()
    async with r.client.get("/echo", headers={"X-Request-ID": "req-2026.11:abc_1"}) as resp:
        echoed = await echo_json(resp)
        assert resp.headers["X-Request-ID"] == "req-2026.11:abc_1"
    assert header_values(echoed, "X-Request-ID") == ["req-2026.11:abc_1"]


@pytest.mark.parametrize("bad_id", ["", "has space", "x" * 200, "<script>", "-leading-dash"])
async def test_when_request_id_is_missing_or_malformed_then_a_new_one_is_made(
    rig: RigFactory, bad_id: str
):
    r = await rig()
    async with r.client.get("/echo", headers={"X-Request-ID": bad_id}) as resp:
        echoed = await echo_json(resp)
        returned = resp.headers["X-Request-ID"]
    assert returned != bad_id
    assert len(returned) == 32
    assert header_values(echoed, "X-Request-ID") == [returned]


async def test_when_upstream_redirects_then_the_redirect_reaches_the_client(rig: RigFactory):
    r = await rig()
    async with r.client.get("/status/302", allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/elsewhere"


@pytest.mark.parametrize("code", [204, 304, 400, 418, 500, 503])
async def test_when_upstream_answers_any_status_then_client_gets_the_same(
    rig: RigFactory, code: int
):
    r = await rig()
    async with r.client.get(f"/status/{code}") as resp:
        assert resp.status == code
        assert resp.content_type != PROBLEM


async def test_when_upstream_body_is_gzip_then_bytes_pass_through_unchanged(rig: RigFactory):
    r = await rig()
    async with r.client.get("/gzip") as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        raw = await resp.read()
    assert raw == GZIPPED
    assert gzip.decompress(raw).startswith(b"ringkasan layanan")


async def test_when_requests_follow_each_other_then_one_upstream_connection_is_reused(
    rig: RigFactory,
):
    r = await rig()
    ports = set()
    for _ in range(5):
        # A new client connection each time: only the gateway's pool can keep the upstream one.
        async with r.client.get("/echo", headers={"Connection": "close"}) as resp:
            ports.add((await echo_json(resp))["peer_port"])
    assert len(ports) == 1


# --- bodies -----------------------------------------------------------------------------------


async def test_when_a_large_body_is_posted_then_upstream_gets_every_byte(rig: RigFactory):
    r = await rig()
    body = os.urandom(8 * 1024 * 1024)
    async with r.client.post("/echo", data=body) as resp:
        echoed = await echo_json(resp)
    assert echoed["body_len"] == len(body)
    assert echoed["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert header_values(echoed, "Content-Length") == [str(len(body))]
    assert echoed["chunked"] is False


async def test_when_a_chunked_body_is_posted_then_it_streams_through_chunked(rig: RigFactory):
    r = await rig()
    parts = [os.urandom(100_000) for _ in range(20)]

    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
            await asyncio.sleep(0)

    async with r.client.post("/echo", data=body()) as resp:
        echoed = await echo_json(resp)
    assert echoed["chunked"] is True
    assert echoed["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()


async def test_when_upstream_streams_a_large_body_then_the_client_receives_it_intact(
    rig: RigFactory,
):
    r = await rig()
    size = 20 * 1024 * 1024 + 123
    digest = hashlib.sha256()
    received = 0
    async with r.client.get(f"/big?n={size}") as resp:
        async for chunk in resp.content.iter_chunked(1 << 16):
            digest.update(chunk)
            received += len(chunk)
    expected = hashlib.sha256()
    block = bytes(range(256)) * 256
    for start in range(0, size, len(block)):
        expected.update(block[: min(len(block), size - start)])
    assert received == size
    assert digest.hexdigest() == expected.hexdigest()


async def test_when_declared_body_exceeds_limit_then_413_and_upstream_never_called(
    rig: RigFactory,
):
    r = await rig([{"name": "small", "path_prefix": "/", "max_body_bytes": 1000}])
    async with r.client.post("/echo", data=b"x" * 1001) as resp:
        assert resp.status == 413
        assert resp.content_type == PROBLEM
        problem = await resp.json()
    assert problem["code"] == "body_too_large"
    assert problem["status"] == 413
    assert r.upstream.hits == 0
    assert r.count("small", "413", "POST") == 1


async def test_when_chunked_body_exceeds_limit_then_413(rig: RigFactory):
    r = await rig([{"name": "small", "path_prefix": "/", "max_body_bytes": 50_000}])

    async def body() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 10_000
            await asyncio.sleep(0.01)

    async with r.client.post("/echo", data=body()) as resp:
        assert resp.status == 413
        assert (await resp.json())["code"] == "body_too_large"


async def test_when_body_is_exactly_the_limit_then_it_is_forwarded(rig: RigFactory):
    r = await rig([{"name": "small", "path_prefix": "/", "max_body_bytes": 1000}])
    async with r.client.post("/echo", data=b"x" * 1000) as resp:
        assert (await echo_json(resp))["body_len"] == 1000


# --- streaming --------------------------------------------------------------------------------


async def test_when_upstream_streams_sse_then_the_first_event_arrives_before_upstream_finishes(
    rig: RigFactory,
):
    r = await rig()
    async with r.client.get("/sse") as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        first = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)
        # The upstream is still blocked: it only finishes after we release it.
        assert first == b'data: {"n": 1}\n\n'
        assert not r.upstream.stream_finished.is_set()
        r.upstream.release_stream.set()
        rest = await asyncio.wait_for(resp.read(), 5)
    assert rest == b'data: {"n": 2}\n\ndata: [DONE]\n\n'


async def test_when_a_stream_starts_then_its_headers_reach_the_client_before_any_event(
    rig: RigFactory,
):
    r = await rig()
    async with await asyncio.wait_for(r.client.get("/sse-late"), 5) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/event-stream"
        r.upstream.release_stream.set()
        assert await asyncio.wait_for(resp.read(), 5) == b"data: late\n\n"


async def test_when_client_disconnects_then_the_upstream_call_is_cancelled(rig: RigFactory):
    r = await rig()
    task = asyncio.create_task(r.client.get("/hang"))
    await asyncio.wait_for(r.upstream.hang_started.wait(), 5)
    task.cancel()  # the client gives up and closes its connection
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(r.upstream.cancelled.wait(), 5)
    assert await _eventually(lambda: r.count("svc", "499") == 1)


async def test_when_client_leaves_mid_stream_then_the_upstream_stream_is_cancelled(
    rig: RigFactory,
):
    r = await rig()
    resp = await r.client.get("/sse")
    assert await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5) == b'data: {"n": 1}\n\n'
    resp.close()  # drop the connection with the stream half read
    await asyncio.wait_for(r.upstream.cancelled.wait(), 5)
    assert not r.upstream.stream_finished.is_set()
    assert await _eventually(lambda: r.count("svc", "499") == 1)


async def test_when_upstream_dies_mid_response_then_the_client_sees_a_broken_response(
    rig: RigFactory,
):
    r = await rig()
    async with r.client.get("/broken") as resp:
        assert resp.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await asyncio.wait_for(resp.read(), 5)
    value = r.registry.get_sample_value(
        "gerbang_upstream_errors_total", {"route": "svc", "code": "upstream_unreachable"}
    )
    assert value == 1


# --- errors -----------------------------------------------------------------------------------


async def test_when_no_route_matches_then_404_problem(rig: RigFactory):
    r = await rig([{"name": "api", "path_prefix": "/api"}])
    async with r.client.get("/apix", headers={"X-Request-ID": "trace-1"}) as resp:
        assert resp.status == 404
        assert resp.content_type == PROBLEM
        problem = await resp.json()
    assert problem == {
        "type": "urn:gerbang:problem:route_not_found",
        "title": "No route matches this request",
        "status": 404,
        "detail": "No route matches this request",
        "code": "route_not_found",
        "request_id": "trace-1",
    }
    assert r.count("-", "404") == 1


@pytest.mark.parametrize(
    "path", ["/api/../admin", "/api/%2e%2e/admin", "/api/./x", "/api/..%5Cadmin", "/api/%2E"]
)
async def test_when_path_has_dot_segments_then_400_and_nothing_forwarded(
    rig: RigFactory, path: str
):
    r = await rig([{"name": "api", "path_prefix": "/api"}])
    # Sent on a raw socket: HTTP client libraries normalise dot segments away before sending.
    reader, writer = await asyncio.open_connection(r.client.host, r.client.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    head, _, body = (await asyncio.wait_for(reader.read(), 5)).partition(b"\r\n\r\n")
    writer.close()
    assert head.startswith(b"HTTP/1.1 400 ")
    assert json.loads(body)["code"] == "bad_request"
    assert r.upstream.hits == 0


async def test_when_upstream_refuses_connections_then_502_problem(rig: RigFactory):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    r = await rig(
        [{"name": "down", "path_prefix": "/", "upstream": f"http://127.0.0.1:{closed_port}"}]
    )
    async with r.client.get("/echo") as resp:
        assert resp.status == 502
        assert (await resp.json())["code"] == "upstream_unreachable"
    errors = r.registry.get_sample_value(
        "gerbang_upstream_errors_total", {"route": "down", "code": "upstream_unreachable"}
    )
    assert errors == 1


async def test_when_upstream_is_slower_than_total_timeout_then_504_problem(rig: RigFactory):
    r = await rig(
        [{"name": "slow", "path_prefix": "/", "connect_timeout": 0.2, "total_timeout": 0.3}]
    )
    async with r.client.get("/slow?s=5") as resp:
        assert resp.status == 504
        assert (await resp.json())["code"] == "upstream_timeout"


async def test_when_upstream_cannot_be_connected_in_time_then_504_problem(rig: RigFactory):
    # A listener that never accepts, with its accept queue full: new connects hang in SYN.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        await asyncio.sleep(0.2)
        try:
            r = await rig(
                [
                    {
                        "name": "blackhole",
                        "path_prefix": "/",
                        "upstream": f"http://127.0.0.1:{port}",
                        "connect_timeout": 0.3,
                        "total_timeout": 10,
                    }
                ]
            )
            async with r.client.get("/x") as resp:
                assert resp.status == 504
                assert (await resp.json())["code"] == "upstream_timeout"
        finally:
            for s in fillers:
                s.close()


# --- routing ----------------------------------------------------------------------------------


async def test_when_strip_prefix_then_upstream_gets_the_rest_under_its_base_path(
    rig: RigFactory,
):
    r = await rig([{"name": "chat", "path_prefix": "/chat", "strip_prefix": True}])
    async with r.client.get("/chat/echo/v1/models?x=1") as resp:
        echoed = await echo_json(resp)
    assert echoed["path"] == "/echo/v1/models"
    assert echoed["query"] == "x=1"


async def test_when_upstream_has_a_base_path_then_paths_are_joined_under_it(
    aiohttp_server: Any, gateway_client: GatewayClientFactory
):
    state = UpstreamState()
    upstream = await aiohttp_server(create_upstream(state))
    config = config_from_mapping(
        plain(
            {
                "routes": [
                    {
                        "name": "ocr",
                        "path_prefix": "/ocr/",
                        "strip_prefix": True,
                        "upstream": str(upstream.make_url("/base/")),
                        "public": True,
                        "pii": {"scan_request": False},
                    }
                ]
            }
        )
    )
    client = await gateway_client(config)
    async with client.get("/ocr/scan/ktp?lang=id") as resp:
        echoed = await echo_json(resp)
    assert echoed["path"] == "/base/scan/ktp"
    assert echoed["query"] == "lang=id"


async def test_when_routes_match_by_host_then_the_host_route_wins(rig: RigFactory):
    r = await rig(
        [
            {"name": "generic", "path_prefix": "/"},
            {"name": "by-host", "path_prefix": "/", "host": "ocr.dukcapil.test"},
        ]
    )
    async with r.client.get("/echo", headers={"Host": "OCR.dukcapil.test:8443"}) as resp:
        await echo_json(resp)
    async with r.client.get("/echo") as resp:
        await echo_json(resp)
    assert r.count("by-host", "200") == 1
    assert r.count("generic", "200") == 1


async def test_when_prefixes_nest_then_the_longest_prefix_wins(rig: RigFactory):
    r = await rig(
        [
            {"name": "all", "path_prefix": "/"},
            {"name": "echo-deep", "path_prefix": "/echo/deep"},
        ]
    )
    async with r.client.get("/echo/deep/x") as resp:
        await echo_json(resp)
    async with r.client.get("/echo/deeper") as resp:
        await echo_json(resp)
    assert r.count("echo-deep", "200") == 1
    assert r.count("all", "200") == 1


# --- upstream TLS -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_ca() -> Any:
    import trustme

    return trustme.CA()


async def _tls_upstream(aiohttp_server: Any, ca: Any) -> TestServer:
    import ssl

    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    server: TestServer = await aiohttp_server(create_upstream(UpstreamState()), ssl=context)
    return server


async def test_when_upstream_tls_is_signed_by_the_configured_ca_then_it_is_trusted(
    aiohttp_server: Any, gateway_client: GatewayClientFactory, tls_ca: Any, tmp_path: Any
):
    upstream = await _tls_upstream(aiohttp_server, tls_ca)
    ca_file = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(ca_file))
    url = f"https://127.0.0.1:{upstream.port}"
    config = config_from_mapping(plain({"routes": [route("tls", "/", url, ca_file=str(ca_file))]}))
    client = await gateway_client(config)
    async with client.get("/echo") as resp:
        assert (await echo_json(resp))["method"] == "GET"


async def test_when_upstream_tls_is_not_trusted_then_502_and_nothing_is_sent(
    aiohttp_server: Any, gateway_client: GatewayClientFactory, tls_ca: Any
):
    upstream = await _tls_upstream(aiohttp_server, tls_ca)
    url = f"https://127.0.0.1:{upstream.port}"
    config = config_from_mapping(plain({"routes": [route("tls", "/", url)]}))
    client = await gateway_client(config)
    async with client.get("/echo") as resp:
        assert resp.status == 502
        assert (await resp.json())["code"] == "upstream_unreachable"


# --- metrics ----------------------------------------------------------------------------------


async def test_when_exchanges_complete_then_count_latency_and_in_flight_are_recorded(
    rig: RigFactory,
):
    r = await rig()
    for _ in range(3):
        async with r.client.get("/echo") as resp:
            await echo_json(resp)
    assert r.count("svc", "200") == 3
    observed = r.registry.get_sample_value(
        "gerbang_request_duration_seconds_count", {"route": "svc", "status": "200"}
    )
    assert observed == 3
    assert r.registry.get_sample_value("gerbang_in_flight_requests") == 0


async def _eventually(check: Callable[[], bool], within: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


async def test_when_exchanges_end_then_each_gets_one_json_access_line_without_request_data(
    rig: RigFactory, capsys: pytest.CaptureFixture[str]
):
    r = await rig([{"name": "api", "path_prefix": "/echo"}])
    secret = "3201012345678901"  # synthetic NIK-shaped value
    async with r.client.post(f"/echo/{secret}?nik={secret}", data=secret) as resp:
        await echo_json(resp)
    async with r.client.get("/nothing-here", headers={"X-Request-ID": "trace-404"}) as resp:
        assert resp.status == 404
    await asyncio.sleep(0.2)  # past the access log's batching interval
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(x["route"], x["status"], x["error_code"]) for x in lines] == [
        ("api", 200, None),
        ("-", 404, "route_not_found"),
    ]
    ok, missing = lines
    assert ok["upstream_status"] == 200
    assert ok["bytes_in"] == len(secret)
    assert ok["bytes_out"] > 0
    assert missing["request_id"] == "trace-404"
    assert missing["upstream_status"] is None
    assert {"ts", "level", "logger", "msg", "pid", "method", "duration_ms"} <= set(ok)
    assert secret not in json.dumps(lines)
