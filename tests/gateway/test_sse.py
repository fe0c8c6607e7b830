"""SSE streams: text split across events is restored and masked as if it came whole."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.rewrite import ResponseRewriter
from gateway.sse import SseRewriter
from pii.anonymizer import Anonymizer, OperatorSpec
from pii.engine import PiiEngine
from pii.findings import Finding
from pii.vault import PlaceholderVault

NIK = "3171234567890003"  # synthetic
PHONE = "0812-3456-7890"  # synthetic
TEXT = (
    f"NIK <ID_NIK_1> terdaftar di Jakarta Pusat. Petugas dapat dihubungi di nomor {PHONE} "
    "setiap hari kerja. Silakan bawa dokumen asli saat datang ke kantor."
)


@pytest.fixture(scope="module")
def engine() -> PiiEngine:
    return PiiEngine()


def make_rewriter(engine: PiiEngine, *, restore: bool = True) -> ResponseRewriter:
    vault = PlaceholderVault()
    vault.token_for("ID_NIK", NIK)
    return ResponseRewriter(
        analyze=engine.analyze,
        anonymizer=Anonymizer(),
        plan={"*": OperatorSpec("placeholder")},
        vault=vault,
        mapping=vault.mapping if restore else None,
    )


def chat_events(text: str, size: int) -> bytes:
    events = [
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "model": "lara",
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            ],
        }
    ]
    for i in range(0, len(text), size):
        events.append(
            {
                "id": "c1",
                "object": "chat.completion.chunk",
                "model": "lara",
                "choices": [
                    {"index": 0, "delta": {"content": text[i : i + size]}, "finish_reason": None}
                ],
            }
        )
    events.append(
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "model": "lara",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
    )
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return body.encode()  # fmt: skip


def responses_deltas(content_index: int) -> list[dict[str, Any]]:
    """TEXT as Responses API `output_text.delta` events of 5 characters."""
    return [
        {"type": "response.output_text.delta", "item_id": "m1", "content_index": content_index,
         "delta": TEXT[i : i + 5]}
        for i in range(0, len(TEXT), 5)
    ]  # fmt: skip


def parse(stream: bytes) -> list[Any]:
    out: list[Any] = []
    for block in stream.decode().split("\n\n"):
        data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
        if data:
            joined = "\n".join(data)
            out.append(joined if joined == "[DONE]" else json.loads(joined))
    return out


def run(rewriter: SseRewriter, raw: bytes, cuts: list[int]) -> bytes:
    bounds = [0, *sorted(c for c in set(cuts) if 0 < c < len(raw)), len(raw)]
    out = b"".join(rewriter.feed(raw[a:b]) for a, b in itertools.pairwise(bounds))
    return out + rewriter.finish()


def content(events: list[Any]) -> str:
    return "".join(
        choice["delta"].get("content", "")
        for event in events
        if isinstance(event, dict)
        for choice in event["choices"]
    )


@settings(max_examples=30, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=12),
    cuts=st.lists(st.integers(min_value=1, max_value=4000), max_size=10),
)
def test_when_chat_chunks_split_values_anywhere_then_the_caller_gets_the_whole_rewrite(
    engine: PiiEngine, size: int, cuts: list[int]
) -> None:
    expected = make_rewriter(engine).rewrite(TEXT)
    events = parse(run(SseRewriter(make_rewriter(engine)), chat_events(TEXT, size), cuts))
    assert content(events) == expected
    assert NIK in expected
    assert PHONE not in expected
    assert events[-1] == "[DONE]"
    assert events[-2]["choices"][0]["finish_reason"] == "stop"


def test_when_the_caller_may_not_see_values_then_placeholders_stay_in_the_stream(
    engine: PiiEngine,
) -> None:
    events = parse(run(SseRewriter(make_rewriter(engine, restore=False)), chat_events(TEXT, 3), []))
    assert NIK not in content(events)
    assert "<ID_NIK_1>" in content(events)


def test_when_tool_call_arguments_stream_then_they_are_rewritten_too(engine: PiiEngine) -> None:
    arguments = json.dumps({"nik": "<ID_NIK_1>", "telepon": PHONE})
    events = [
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "type": "function",
             "function": {"name": "cek", "arguments": arguments[i : i + 4]}}]},
            "finish_reason": None}]}
        for i in range(0, len(arguments), 4)
    ] + [{"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}]  # fmt: skip
    raw = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode()
    out = parse(run(SseRewriter(make_rewriter(engine)), raw, []))
    joined = "".join(
        call["function"]["arguments"]
        for event in out
        for call in event["choices"][0]["delta"].get("tool_calls", [])
    )
    assert json.loads(joined)["nik"] == NIK
    assert PHONE not in joined


def test_when_responses_api_deltas_stream_then_held_text_is_flushed_before_done(
    engine: PiiEngine,
) -> None:
    deltas = responses_deltas(content_index=0)
    done = {"type": "response.output_text.done", "item_id": "m1", "text": TEXT}
    raw = "".join(f"event: x\ndata: {json.dumps(e)}\n\n" for e in [*deltas, done]).encode()
    out = parse(run(SseRewriter(make_rewriter(engine)), raw, []))
    streamed = "".join(e["delta"] for e in out if e["type"] == "response.output_text.delta")
    expected = make_rewriter(engine).rewrite(TEXT)
    assert streamed == expected
    assert out[-1]["text"] == expected


def test_when_data_is_not_json_then_it_is_rewritten_whole_and_fields_are_kept(
    engine: PiiEngine,
) -> None:
    raw = f"id: 7\nevent: note\ndata: hubungi {PHONE} ya\n\n".encode()
    out = SseRewriter(make_rewriter(engine)).feed(raw).decode()
    assert out.startswith("id: 7\nevent: note\ndata: hubungi ")
    assert PHONE not in out


def test_when_a_stream_ends_without_finish_then_held_text_still_arrives(engine: PiiEngine) -> None:
    raw = chat_events(TEXT, 4)
    raw = raw[: raw.rindex(b"data: {", 0, raw.rindex(b"data: [DONE]"))]  # no finish, no [DONE]
    events = parse(run(SseRewriter(make_rewriter(engine)), raw, []))
    assert content(events) == make_rewriter(engine).rewrite(TEXT)


def test_when_many_events_arrive_in_one_read_then_their_text_is_scanned_once(
    engine: PiiEngine,
) -> None:
    scans: list[int] = []
    rewriter = make_rewriter(engine)

    def counting(text: str) -> list[Finding]:
        scans.append(len(text))
        return engine.analyze(text)

    rewriter.analyze = counting
    text = TEXT * 3
    raw = chat_events(text, 5)
    finish_at = raw.rindex(b"data: {")  # the finish chunk, then [DONE]
    sse = SseRewriter(rewriter)
    first = parse(sse.feed(raw[:finish_at]))  # every content event in one read
    assert len(scans) == 1
    released = [choice["delta"]["content"] for e in first for choice in e["choices"]]
    assert not any(released[:-1])  # what the read released goes into its last event
    assert released[-1]
    rest = parse(sse.feed(raw[finish_at:]) + sse.finish())
    assert len(scans) == 2  # and what was held back, once, when the choice finished
    assert content(first) + content(rest) == make_rewriter(engine).rewrite(text)


def test_when_lines_end_in_crlf_split_between_reads_then_nothing_is_lost(
    engine: PiiEngine,
) -> None:
    raw = chat_events(TEXT, 4).replace(b"\n", b"\r\n")
    between = [i + 1 for i, byte in enumerate(raw) if byte == ord("\r")]  # every CR | LF
    events = parse(run(SseRewriter(make_rewriter(engine)), raw, between))
    assert content(events) == make_rewriter(engine).rewrite(TEXT)
    assert PHONE not in content(events)


def test_strings_outside_the_text_channels_are_scanned_too(engine: PiiEngine) -> None:
    chunk = {
        "id": "c1",
        "note": f"hubungi {PHONE} ya",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "content": [{"type": "text", "text": f"nomor {PHONE}"}],
                    "tool_calls": [
                        {"index": 0, "function": {"name": f"kirim {PHONE}", "arguments": "{}"}}
                    ],
                },
                "finish_reason": "stop",
            }
        ],
    }
    raw = f": catatan {PHONE}\n\ndata: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    out = run(SseRewriter(make_rewriter(engine)), raw, [])
    assert PHONE.encode() not in out
    event = parse(out)[0]
    assert event["id"] == "c1"
    assert event["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] == "{}"


def test_when_the_finishing_chunk_has_a_null_delta_then_held_text_still_arrives(
    engine: PiiEngine,
) -> None:
    raw = chat_events(TEXT, 4).replace(b'"delta": {}', b'"delta": null')
    assert b'"delta": null' in raw
    events = parse(run(SseRewriter(make_rewriter(engine)), raw, []))
    assert content(events) == make_rewriter(engine).rewrite(TEXT)


def test_when_responses_deltas_are_flushed_then_they_keep_their_content_index(
    engine: PiiEngine,
) -> None:
    deltas = responses_deltas(content_index=1)
    raw = "".join(f"data: {json.dumps(e)}\n\n" for e in deltas).encode()
    out = parse(run(SseRewriter(make_rewriter(engine)), raw, []))
    assert {e["content_index"] for e in out} == {1}
    assert "".join(e["delta"] for e in out) == make_rewriter(engine).rewrite(TEXT)


def test_when_an_emoji_is_split_between_events_then_it_arrives_whole(engine: PiiEngine) -> None:
    halves = json.dumps("\U0001f600").strip('"').split("\\ude00")  # its two surrogate escapes
    pieces = ["Terima kasih ", halves[0], "\\ude00", " sampai jumpa"]
    raw = "".join(
        f'data: {{"choices":[{{"index":0,"delta":{{"content":"{p}"}},"finish_reason":null}}]}}\n\n'
        for p in pieces
    ).encode()
    out = run(SseRewriter(make_rewriter(engine)), raw + b"data: [DONE]\n\n", [])
    out.decode("utf-8")  # valid UTF-8
    assert content(parse(out)) == "Terima kasih \U0001f600 sampai jumpa"
