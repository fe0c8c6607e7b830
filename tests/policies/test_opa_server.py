"""OpaServerEngine against a real OPA server, and every way OPA can fail to answer."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from policies.errors import PolicyUnavailable
from policies.opa_server import OpaServerEngine, bundle_revision
from tests.policies.opa import free_port
from tests.policies.table import CITIZEN, exchange

ServerFactory = Callable[..., Awaitable[TestServer]]


async def _fake_opa(
    aiohttp_server: ServerFactory, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> str:
    """A tiny HTTP server standing in for OPA at /v1/data/gerbang/decision."""
    app = web.Application()
    app.router.add_post("/v1/data/gerbang/decision", handler)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


async def test_when_opa_allows_then_decision_is_parsed(opa_url: str) -> None:
    engine = OpaServerEngine(opa_url, timeout=5.0)
    try:
        decision = await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert decision.allow is True
    assert decision.status == 200
    assert decision.reason == "allowed"
    assert decision.restore is True
    assert decision.operator_for("HEALTH") == "redact"


async def test_when_opa_refuses_then_reason_comes_from_policy(opa_url: str) -> None:
    engine = OpaServerEngine(opa_url, timeout=5.0)
    try:
        decision = await engine.decide(exchange(("warga",), "ocr-dokumen", "digitalisasi_dokumen"))
    finally:
        await engine.close()
    assert (decision.allow, decision.status) == (False, 403)
    assert decision.reason == "roles [warga] may not use service ocr-dokumen"


async def test_when_rule_is_undefined_on_opa_then_refused_403(opa_url: str) -> None:
    engine = OpaServerEngine(opa_url, timeout=5.0, rule="no_such_rule")
    try:
        decision = await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert (decision.allow, decision.status, decision.reason) == (False, 403, "policy undefined")


async def test_when_opa_is_not_running_then_policy_unavailable() -> None:
    engine = OpaServerEngine(f"http://127.0.0.1:{free_port()}", timeout=2.0)
    try:
        with pytest.raises(PolicyUnavailable) as caught:
            await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert caught.value.code == "policy_unavailable"
    assert "unreachable" in str(caught.value)


async def test_when_opa_is_slower_than_timeout_then_policy_unavailable_in_time(
    aiohttp_server: ServerFactory,
) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"result": {}})

    engine = OpaServerEngine(await _fake_opa(aiohttp_server, slow), timeout=0.2, retries=2)
    began = time.monotonic()
    try:
        with pytest.raises(PolicyUnavailable) as caught:
            await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert time.monotonic() - began < 1.5  # retries included, the whole call is bounded
    assert "did not answer within 0.2 s" in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 400, 404])
async def test_when_opa_answers_an_error_status_then_policy_unavailable(
    aiohttp_server: ServerFactory, status: int
) -> None:
    async def failing(request: web.Request) -> web.Response:
        return web.json_response({"code": "internal_error", "message": "boom"}, status=status)

    engine = OpaServerEngine(await _fake_opa(aiohttp_server, failing), timeout=2.0)
    try:
        with pytest.raises(PolicyUnavailable) as caught:
            await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert str(caught.value) == f"the policy server answered HTTP {status}"


ALLOW = {"allow": True, "status": 200, "reason": "ok", "masking": {"*": "keep"},
         "restore": True, "scan_response": False}  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {},  # undefined: no result
        {"result": None},
        {"result": {"allow": True}},
        {"result": {**ALLOW, "allow": "yes"}},
        {"result": {**ALLOW, "status": 403}},
        {"result": {**ALLOW, "masking": {"*": "reveal"}}},
        {"result": {**ALLOW, "extra": 1}},
        {"result": [ALLOW]},
        [ALLOW],
    ],
    ids=["undefined", "null", "partial", "allow-not-bool", "allow-with-403", "unknown-operator",
         "extra-key", "list-result", "list-body"],
)  # fmt: skip
async def test_when_opa_answers_a_malformed_decision_then_refused(
    aiohttp_server: ServerFactory, body: object
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response(body)

    engine = OpaServerEngine(await _fake_opa(aiohttp_server, answer), timeout=2.0)
    try:
        decision = await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert (decision.allow, decision.status, decision.reason) == (False, 403, "policy undefined")
    assert decision.restore is False
    assert decision.operator_for("ID_NIK") == "redact"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
async def test_when_opa_answers_non_json_then_refused(
    aiohttp_server: ServerFactory, content_type: str
) -> None:
    async def garbage(request: web.Request) -> web.Response:
        return web.Response(body=b"<html>proxy error</html>", content_type=content_type)

    engine = OpaServerEngine(await _fake_opa(aiohttp_server, garbage), timeout=2.0)
    try:
        decision = await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert decision.allow is False
    assert decision.reason == "policy undefined"


async def test_well_formed_answer_is_obeyed_and_request_carries_the_input(
    aiohttp_server: ServerFactory,
) -> None:
    seen: list[object] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(json.loads(await request.read()))
        return web.json_response({"result": ALLOW})

    engine = OpaServerEngine(await _fake_opa(aiohttp_server, answer), timeout=2.0)
    try:
        decision = await engine.decide(CITIZEN)
    finally:
        await engine.close()
    assert decision.allow is True
    assert decision.scan_response is False
    assert seen == [{"input": CITIZEN}]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8181", "http://127.0.0.1:8181/v1", "opa"])
def test_when_url_is_not_a_base_url_then_refused(url: str) -> None:
    with pytest.raises(ValueError, match="without a path"):
        OpaServerEngine(url)


def _provenance(bundles: object) -> dict[str, object]:
    return {"result": {}, "provenance": {"version": "1.22.3", "bundles": bundles}}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_provenance({"gerbang": {"revision": "rev-7"}}), "rev-7"),
        ({"result": {}}, None),  # OPA serving files, not a bundle
        (_provenance({}), None),
        (_provenance({"a": {"revision": "r1"}, "b": {"revision": "r2"}}), None),  # which one?
        (_provenance({"gerbang": {"revision": ""}}), None),
        (_provenance({"gerbang": {"revision": 7}}), None),
        (_provenance({"gerbang": {"revision": "r" * 129}}), None),  # longer than records hold
        (_provenance({"gerbang": {"revision": "rev\n1"}}), None),
        (_provenance(["gerbang"]), None),
    ],
)
def test_the_revision_a_decision_carries_comes_only_from_one_well_formed_bundle(
    answer: dict[str, object], expected: str | None
) -> None:
    assert bundle_revision(answer) == expected
