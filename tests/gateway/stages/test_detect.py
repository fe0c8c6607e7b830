"""Detect: every text field scanned by the real engine, a caller's resent texts only once."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiohttp.test_utils import make_mocked_request
from yarl import URL

from gateway.auth.principal import Principal
from gateway.bodies import TextFields
from gateway.config import RouteConfig
from gateway.exchange import Exchange
from gateway.findings_cache import FindingsCache
from gateway.routes import RouteMatch
from gateway.stages.detect import Detect
from pii.engine import PiiEngine
from pii.findings import Finding
from tests.gateway.principals import citizen as caller

# A conversation as a chat client sends it, turn after turn (synthetic values).
SYSTEM = "Anda adalah LARA, asisten layanan publik Dinas Kependudukan dan Pencatatan Sipil."
TURN_1 = "Selamat siang, nama saya Budi Santoso. NIK saya 3273012505900001."
ANSWER_1 = "Baik Bapak, NIK <ID_NIK_1> sudah kami catat."
TURN_2 = "Nomor HP saya 081234567890, tolong hubungi saya."
ROUTE = RouteConfig(name="lara", path_prefix="/v1", upstream="http://127.0.0.1:9")


class CountingEngine(PiiEngine):
    """The real engine, counting the texts it scans."""

    def __init__(self) -> None:
        super().__init__()
        self.scanned: list[str] = []

    def analyze(
        self, text: str, language: str = "id", entities: Collection[str] | None = None
    ) -> list[Finding]:
        self.scanned.append(text)
        return super().analyze(text, language, entities)


@pytest.fixture(scope="module")
def engine() -> CountingEngine:
    return CountingEngine()


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as pool:
        yield pool


async def detect(stage: Detect, principal: Principal | None, *texts: str) -> Exchange:
    exchange = Exchange(make_mocked_request("POST", "/v1/chat/completions"), "synthetic-rid")
    exchange.match = RouteMatch(ROUTE, URL("http://127.0.0.1:9/v1/chat/completions"))
    exchange.principal = principal
    exchange.request_fields = TextFields(texts, lambda values: b"", "application/json")
    assert await stage(exchange) is None
    return exchange


async def test_when_a_conversation_goes_on_then_each_text_is_scanned_once(
    engine: CountingEngine, executor: ThreadPoolExecutor
) -> None:
    cached = Detect(engine, executor, FindingsCache(100))
    plain = Detect(engine, executor)
    citizen = caller("warga-1")
    engine.scanned.clear()
    await detect(cached, citizen, SYSTEM, TURN_1)
    second = await detect(cached, citizen, SYSTEM, TURN_1, ANSWER_1, TURN_2)
    assert engine.scanned == [SYSTEM, TURN_1, ANSWER_1, TURN_2]
    # The findings are those of a full scan, in field order.
    uncached = await detect(plain, citizen, SYSTEM, TURN_1, ANSWER_1, TURN_2)
    assert second.request_findings == uncached.request_findings
    assert {f.type for f in second.request_findings[1]} >= {"ID_NIK", "PERSON"}
    assert {f.type for f in second.request_findings[3]} == {"PHONE_NUMBER"}


async def test_when_another_caller_sends_the_same_texts_then_they_are_scanned_for_it(
    engine: CountingEngine, executor: ThreadPoolExecutor
) -> None:
    stage = Detect(engine, executor, FindingsCache(100))
    await detect(stage, caller("warga-1"), SYSTEM, TURN_1)
    engine.scanned.clear()
    await detect(stage, caller("warga-2"), SYSTEM, TURN_1)
    await detect(stage, None, SYSTEM)  # a public route: no caller, no cache
    await detect(stage, None, SYSTEM)
    assert engine.scanned == [SYSTEM, TURN_1, SYSTEM, SYSTEM]
