"""Acceptance: the real `openai` SDK through the gateway to a recording assistant.

The assistant never receives a seeded value; the citizen gets values back, the officer of
another service gets placeholders; tool-call arguments and `role: tool` messages are covered;
streamed and non-streamed answers agree; one verified audit record per exchange, no raw values.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from gateway.cli import main as gerbang
from tests.gateway.compliance_rig import NIK, PHONE, SEEDED, UPSTREAM_PHONE, Rig
from tests.gateway.test_compliance import files_holding

QUESTION: list[Any] = [
    {"role": "system", "content": "Anda asisten layanan kependudukan."},
    {"role": "user", "content": f"Cek status KTP untuk NIK {NIK}, HP saya {PHONE}."},
]
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "cek_status_ktp",
            "parameters": {"type": "object", "properties": {"nik": {"type": "string"}}},
        },
    }
]
HISTORY_WITH_TOOL_RESULT: list[Any] = [
    *QUESTION,
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "cek_status_ktp", "arguments": json.dumps({"nik": NIK})},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": f"KTP untuk {NIK} siap diambil."},
]


@pytest.fixture
async def sdk(compliance_rig: Rig) -> AsyncIterator[Any]:
    """An AsyncOpenAI client per role, pointed at the gateway."""
    clients: list[openai.AsyncOpenAI] = []

    def client(*roles: str) -> openai.AsyncOpenAI:
        made = openai.AsyncOpenAI(
            base_url=str(compliance_rig.client.make_url("/v1")),
            api_key=compliance_rig.token(*roles),
            max_retries=0,
            timeout=15.0,
        )
        clients.append(made)
        return made

    yield client
    for made in clients:
        await made.close()


def upstream_saw(rig: Rig) -> bytes:
    return b"\n".join(rig.upstream.bodies)


async def streamed_text(client: openai.AsyncOpenAI, **kwargs: Any) -> str:
    stream = await client.chat.completions.create(model="lara", stream=True, **kwargs)
    return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])


async def test_when_the_citizen_chats_then_values_come_back_and_stream_agrees(
    compliance_rig: Rig, sdk: Any
) -> None:
    citizen = sdk("warga")
    completion = await citizen.chat.completions.create(model="lara", messages=QUESTION)
    whole = completion.choices[0].message.content
    streamed = await streamed_text(citizen, messages=QUESTION)
    assert whole is not None
    assert streamed == whole
    assert NIK in whole
    assert PHONE in whole
    assert UPSTREAM_PHONE not in whole
    sent = upstream_saw(compliance_rig)
    assert not any(value.encode() in sent for value in SEEDED)


async def test_when_the_officer_chats_then_placeholders_stay_in_both_forms(
    compliance_rig: Rig, sdk: Any
) -> None:
    officer = sdk("petugas")
    completion = await officer.chat.completions.create(model="lara", messages=QUESTION)
    whole = completion.choices[0].message.content
    streamed = await streamed_text(officer, messages=QUESTION)
    assert whole is not None
    assert streamed == whole
    assert NIK not in whole
    assert "<ID_NIK_1>" in whole


@pytest.mark.parametrize("stream", [False, True])
async def test_when_the_assistant_calls_a_tool_then_arguments_are_restored_for_the_citizen(
    compliance_rig: Rig, sdk: Any, stream: bool
) -> None:
    citizen = sdk("warga")
    if stream:
        events = await citizen.chat.completions.create(
            model="lara", messages=QUESTION, tools=TOOLS, stream=True
        )
        arguments = ""
        async for chunk in events:
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                arguments += call.function.arguments or "" if call.function else ""
    else:
        completion = await citizen.chat.completions.create(
            model="lara", messages=QUESTION, tools=TOOLS
        )
        (call,) = completion.choices[0].message.tool_calls or []
        arguments = call.function.arguments  # type: ignore[union-attr]
    parsed = json.loads(arguments)
    assert parsed["nik"] == NIK
    assert UPSTREAM_PHONE not in arguments
    assert NIK.encode() not in upstream_saw(compliance_rig)


async def test_when_history_holds_tool_calls_and_results_then_the_upstream_sees_none_of_it(
    compliance_rig: Rig, sdk: Any
) -> None:
    citizen = sdk("warga")
    await citizen.chat.completions.create(model="lara", messages=HISTORY_WITH_TOOL_RESULT)
    (sent,) = [json.loads(body) for body in compliance_rig.upstream.bodies]
    assert NIK not in json.dumps(sent)
    tool_message = sent["messages"][-1]
    assert tool_message["role"] == "tool"
    assert "<ID_NIK_1>" in tool_message["content"]
    arguments = json.loads(sent["messages"][2]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"nik": "<ID_NIK_1>"}  # the same value, the same placeholder


async def test_when_exchanges_are_done_then_one_verified_record_each_without_values(
    compliance_rig: Rig, sdk: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen, officer = sdk("warga"), sdk("petugas")
    await citizen.chat.completions.create(model="lara", messages=QUESTION)
    await streamed_text(citizen, messages=QUESTION)
    await officer.chat.completions.create(model="lara", messages=QUESTION, tools=TOOLS)
    with pytest.raises(openai.PermissionDeniedError):
        await sdk("tamu").chat.completions.create(model="lara", messages=QUESTION)
    await compliance_rig.service.close()

    assert gerbang(["audit", "verify", str(compliance_rig.audit_dir)]) == 0
    capsys.readouterr()
    export = ["audit", "export", str(compliance_rig.audit_dir), "--key"]
    assert gerbang([*export, str(compliance_rig.auditor_key), "--format", "jsonl"]) == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    exchanges = [r for r in records if r.get("event", "exchange") == "exchange"]
    assert sorted(r["status"] for r in exchanges) == [200, 200, 200, 403]
    assert len({r["request_id"] for r in exchanges}) == 4
    assert not any(value in out for value in SEEDED)
    assert not files_holding(compliance_rig.audit_dir, SEEDED)
