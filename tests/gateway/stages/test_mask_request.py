"""MaskRequest: the body the upstream gets holds placeholders, never the values found; small
bodies are masked on the event loop, large ones in the pool."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request

from gateway.bodies import text_fields
from gateway.exchange import Exchange
from gateway.stages.mask_request import INLINE_CHARS, MaskRequest
from pii.anonymizer import Anonymizer
from pii.engine import PiiEngine
from policies.decision import Decision

NIK = "3273012505900001"  # synthetic
PHONE = "081234567890"  # synthetic
MESSAGE = f"Nama saya Budi Santoso, NIK saya {NIK}, nomor HP {PHONE}."
FILLER = "Mohon informasi syarat pindah datang antar kabupaten untuk keluarga kami. "


class RecordingPool(ThreadPoolExecutor):
    """A real pool that remembers what it was given."""

    def __init__(self) -> None:
        super().__init__(1)
        self.submitted: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted.append(getattr(fn, "__name__", repr(fn)))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture(scope="module")
def engine() -> PiiEngine:
    return PiiEngine()


async def mask(engine: PiiEngine, pool: RecordingPool, messages: list[str]) -> bytes:
    body = json.dumps({"messages": [{"role": "user", "content": m} for m in messages]}).encode()
    exchange = Exchange(make_mocked_request("POST", "/v1/chat/completions"), "synthetic-rid")
    exchange.request_fields = fields = text_fields(body, "application/json")
    exchange.request_findings = tuple(tuple(engine.analyze(t)) for t in fields.texts)
    exchange.decision = Decision(allow=True, status=200, reason="test")
    assert await MaskRequest(Anonymizer(), pool)(exchange) is None
    assert exchange.body is not None
    return exchange.body


async def test_when_the_body_is_small_then_it_is_masked_without_the_pool(
    engine: PiiEngine,
) -> None:
    with RecordingPool() as pool:
        masked = await mask(engine, pool, [MESSAGE])
    assert pool.submitted == []
    content = json.loads(masked)["messages"][0]["content"]
    assert NIK not in content
    assert PHONE not in content
    assert "<ID_NIK_1>" in content


LONG = FILLER * (INLINE_CHARS // len(FILLER) + 1)


@pytest.mark.parametrize(
    "messages",
    [
        pytest.param([MESSAGE + " " + LONG], id="a-long-text-to-mask"),
        pytest.param([LONG, MESSAGE], id="a-short-text-to-mask-in-a-long-history"),
    ],
)
async def test_when_the_body_is_large_then_it_is_masked_in_the_pool(
    engine: PiiEngine, messages: list[str]
) -> None:
    with RecordingPool() as pool:
        masked = await mask(engine, pool, messages)
    assert pool.submitted  # off the event loop: every field is read for placeholders
    contents = [m["content"] for m in json.loads(masked)["messages"]]
    assert not any(NIK in c or PHONE in c for c in contents)
    assert any(c.endswith(FILLER) for c in contents)
