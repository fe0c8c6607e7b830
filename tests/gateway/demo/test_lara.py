"""LARA, the demo upstream: OpenAI-compatible shape, Indonesian answers, identifiers quoted back."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest

from gateway.demo.lara import create_app, describe_identifiers

NIK = "3201012345678901"
PHONE = "081234567890"
EMAIL = "budi@example.org"
NAME = "Budi Santoso"
FREE = "gratis, tidak dipungut biaya"


def _body(text: Any, **extra: Any) -> dict[str, Any]:
    return {"model": "lara-1", "messages": [{"role": "user", "content": text}], **extra}


def _events(raw: str) -> list[str]:
    assert raw.endswith("\n\n")
    blocks = raw.split("\n\n")[:-1]
    assert all(block.startswith("data: ") for block in blocks)
    return [block.removeprefix("data: ") for block in blocks]


async def _ask(client: Any, text: Any) -> str:
    resp = await client.post("/v1/chat/completions", json=_body(text))
    assert resp.status == 200
    return str((await resp.json())["choices"][0]["message"]["content"])


async def test_when_non_stream_completion_then_openai_chat_completion_shape(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.post(
        "/v1/chat/completions",
        json={"model": "demo-x", "messages": [{"role": "user", "content": "Halo LARA"}]},
    )
    assert resp.status == 200
    assert resp.content_type == "application/json"
    data = await resp.json()
    assert data["id"].startswith("chatcmpl-")
    assert data["object"] == "chat.completion"
    assert isinstance(data["created"], int)
    assert data["model"] == "demo-x"
    (choice,) = data["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert "LARA" in content
    usage = data["usage"]
    assert usage["prompt_tokens"] == 2
    assert usage["completion_tokens"] == len(content.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


async def test_when_model_is_omitted_then_lara_1_is_echoed(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "Halo"}]}
    )
    assert (await resp.json())["model"] == "lara-1"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Bagaimana cara rekam e-KTP?", "perekaman e-KTP"),
        ("Apa syarat membuat kartu tanda penduduk?", "perekaman e-KTP"),
        ("Saya mau urus Kartu Keluarga baru", "memperbarui Kartu Keluarga"),
        ("Anggota KK saya bertambah", "memperbarui Kartu Keluarga"),
        ("Apa syarat akta kelahiran anak saya?", "surat keterangan lahir"),
        ("How do I get a birth certificate?", "surat keterangan lahir"),
        ("Saya mau pindah domisili ke Bogor", "SKPWNI"),
        ("I am moving to another city", "SKPWNI"),
        ("Selamat pagi", "Layanan Asisten Rakyat"),
    ],
)
async def test_when_topic_is_asked_then_answer_is_indonesian_guidance(
    aiohttp_client, question, expected
):
    client = await aiohttp_client(create_app(stream_delay=0))
    content = await _ask(client, question)
    assert expected in content
    assert "Dukcapil" in content
    assert FREE in content
    assert 2 <= content.count(". ") + 1 <= 5


async def test_when_identifiers_are_given_then_they_are_quoted_back_verbatim(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    content = await _ask(
        client,
        f"Nama saya {NAME}, NIK {NIK}, HP {PHONE}, email {EMAIL}. Saya mau rekam e-KTP.",
    )
    assert "perekaman e-KTP" in content
    assert (
        f"Data yang Anda berikan: NIK {NIK}, nomor HP {PHONE}, email {EMAIL}; atas nama {NAME}."
    ) in content


async def test_when_identifiers_have_separators_then_they_are_quoted_with_separators(
    aiohttp_client,
):
    client = await aiohttp_client(create_app(stream_delay=0))
    content = await _ask(
        client,
        "Saya Siti Aminah mau pindah, nomor KK 3201 0123 4567 8902 dan HP +62 812-3456-7890.",
    )
    assert "SKPWNI" in content
    assert "nomor KK 3201 0123 4567 8902" in content
    assert "nomor HP +62 812-3456-7890" in content
    assert "atas nama Siti Aminah" in content


async def test_when_no_identifiers_are_given_then_no_data_sentence(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    assert "Data yang Anda berikan" not in await _ask(client, "saya ingin membuat akta")


async def test_when_several_messages_then_only_the_last_user_message_is_answered(
    aiohttp_client,
):
    client = await aiohttp_client(create_app(stream_delay=0))
    messages = [
        {"role": "system", "content": "Anda adalah LARA."},
        {"role": "user", "content": f"Saya mau pindah, NIK {NIK}"},
        {"role": "assistant", "content": "Baik."},
        {"role": "user", "content": "Bagaimana dengan akta kelahiran?"},
    ]
    resp = await client.post("/v1/chat/completions", json={"messages": messages})
    content = (await resp.json())["choices"][0]["message"]["content"]
    assert "surat keterangan lahir" in content
    assert NIK not in content


async def test_when_content_is_a_list_of_parts_then_text_parts_are_read(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    parts = [
        {"type": "text", "text": "Saya mau urus akta kelahiran."},
        {"type": "image_url", "image_url": {"url": "https://example.org/x.png"}},
        {"type": "text", "text": f"Email saya {EMAIL}"},
    ]
    content = await _ask(client, parts)
    assert "surat keterangan lahir" in content
    assert f"email {EMAIL}" in content


async def test_when_stream_then_chunks_end_with_done_and_reassemble_the_answer(
    aiohttp_client,
):
    client = await aiohttp_client(create_app(stream_delay=0))
    question = f"Saya mau rekam e-KTP, NIK {NIK}"
    expected = await _ask(client, question)
    resp = await client.post("/v1/chat/completions", json=_body(question, stream=True))
    assert resp.status == 200
    assert resp.content_type == "text/event-stream"
    events = _events(await resp.text())
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert all(chunk["model"] == "lara-1" for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    deltas = [chunk["choices"][0]["delta"]["content"] for chunk in chunks[1:-1]]
    assert len(deltas) >= 5
    assert all(1 <= len(delta.split()) <= 4 for delta in deltas)
    assert all(chunk["choices"][0]["finish_reason"] is None for chunk in chunks[:-1])
    assert "".join(deltas) == expected


async def test_when_stream_is_slow_then_first_chunk_arrives_before_the_last_is_sent(
    aiohttp_client,
):
    delay = 0.1
    client = await aiohttp_client(create_app(stream_delay=delay))
    started = time.monotonic()
    resp = await client.post("/v1/chat/completions", json=_body("Halo", stream=True))
    first_content_at: float | None = None
    events: list[str] = []
    async for line in resp.content:
        if not line.strip():
            continue
        event = line.decode().removeprefix("data: ").strip()
        events.append(event)
        if first_content_at is None and "content" in event:
            first_content_at = time.monotonic() - started
    done_at = time.monotonic() - started
    assert events[-1] == "[DONE]"
    assert first_content_at is not None
    # The server sleeps `delay` between consecutive JSON events, so this is its own total.
    server_total = (len(events) - 2) * delay
    assert len(events) >= 8
    assert done_at >= server_total * 0.9
    # The server sleeps between events, so a stream that is not buffered delivers its first
    # content several sleeps before the end, however loaded the machine is.
    assert done_at - first_content_at >= (len(events) - 4) * delay


@pytest.mark.parametrize(
    ("payload", "param"),
    [
        (b"{not json", None),
        (b"\xff\xfe", None),
        (b"[]", None),
        (json.dumps({"model": "lara-1"}).encode(), "messages"),
        (json.dumps({"messages": []}).encode(), "messages"),
        (json.dumps({"messages": "Halo"}).encode(), "messages"),
        (json.dumps({"messages": ["Halo"]}).encode(), "messages[0]"),
        (json.dumps({"messages": [{"content": "Halo"}]}).encode(), "messages[0]"),
        (json.dumps(_body(42)).encode(), "messages[0].content"),
        (json.dumps(_body(["Halo"])).encode(), "messages[0].content[0]"),
        (json.dumps(_body([{"type": "text", "text": 1}])).encode(), "messages[0].content[0].text"),
        (json.dumps(_body("Halo", stream="yes")).encode(), "stream"),
        (json.dumps({**_body("Halo"), "model": 7}).encode(), "model"),
    ],
)
async def test_when_input_is_bad_then_400_with_openai_error(aiohttp_client, payload, param):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.post(
        "/v1/chat/completions", data=payload, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert isinstance(error["message"], str)
    assert error["message"]


async def test_when_path_is_unknown_then_404_with_openai_error(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.get("/v1/nothing")
    assert resp.status == 404
    error = (await resp.json())["error"]
    assert error == {
        "message": "Unknown request URL: GET /v1/nothing.",
        "type": "invalid_request_error",
        "param": None,
        "code": "unknown_url",
    }


async def test_when_method_is_wrong_then_405_with_openai_error(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.get("/v1/chat/completions")
    assert resp.status == 405
    assert (await resp.json())["error"]["type"] == "invalid_request_error"


async def test_when_models_are_listed_then_lara_1_is_the_only_model(aiohttp_client):
    client = await aiohttp_client(create_app(stream_delay=0))
    resp = await client.get("/v1/models")
    assert resp.status == 200
    data = await resp.json()
    assert data["object"] == "list"
    assert [model["id"] for model in data["data"]] == ["lara-1"]
    assert data["data"][0]["object"] == "model"


async def test_when_health_is_checked_then_ok(aiohttp_client):
    client = await aiohttp_client(create_app())
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}


async def test_when_real_openai_sdk_is_used_then_stream_matches_non_stream(aiohttp_server):
    server = await aiohttp_server(create_app(stream_delay=0.001))
    question = f"Nama saya {NAME}. Saya mau pindah domisili, NIK {NIK}, HP {PHONE}, email {EMAIL}"
    messages: Any = [{"role": "user", "content": question}]
    async with openai.AsyncOpenAI(
        base_url=str(server.make_url("/v1")), api_key="demo", max_retries=0
    ) as sdk:
        completion = await sdk.chat.completions.create(model="lara-1", messages=messages)
        text = completion.choices[0].message.content
        assert text is not None
        assert "SKPWNI" in text
        assert f"NIK {NIK}" in text
        assert completion.usage is not None
        assert completion.usage.completion_tokens == len(text.split())

        stream = await sdk.chat.completions.create(
            model="lara-1",
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces: list[str] = []
        finish_reasons: list[str | None] = []
        usage = None
        async for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                finish_reasons.append(choice.finish_reason)
        assert "".join(pieces) == text
        assert len([piece for piece in pieces if piece]) > 1
        assert finish_reasons[-1] == "stop"
        assert usage is not None
        assert usage.total_tokens == completion.usage.total_tokens

        models = await sdk.models.list()
        assert [model.id for model in models.data] == ["lara-1"]


def test_when_the_gateway_sent_placeholders_then_lara_quotes_them_back() -> None:
    text = "Saya <PERSON_1>, NIK <ID_NIK_1>, HP <PHONE_NUMBER_2>, email <EMAIL_ADDRESS_1>."
    sentence = describe_identifiers(text)
    assert "NIK <ID_NIK_1>" in sentence
    assert "nomor HP <PHONE_NUMBER_2>" in sentence
    assert "email <EMAIL_ADDRESS_1>" in sentence
    assert "atas nama <PERSON_1>" in sentence
