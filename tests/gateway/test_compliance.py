"""The whole exchange: authenticate, detect, authorize, mask, forward, restore, audit."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main as gerbang
from pii.engine import PiiEngine
from tests.gateway.compliance_rig import (
    NIK,
    PHONE,
    SEEDED,
    UPSTREAM_PHONE,
    Rig,
    RigFactory,
)
from tests.policies.opa import running_opa

NEW_PHONE = "085711223344"  # synthetic
PHONE_TOKEN = re.compile(r"<PHONE_NUMBER_\d+>")

CHAT = {
    "model": "lara",
    "messages": [
        {"role": "system", "content": "Anda asisten layanan kependudukan."},
        {"role": "user", "content": f"NIK saya {NIK}, nomor HP {PHONE}. Kapan KTP saya jadi?"},
    ],
}


def upstream_saw(rig: Rig) -> bytes:
    return b"\n".join(rig.upstream.bodies)


async def answer_text(response: Any) -> str:
    """The assistant's text, from a whole answer or from the deltas of a stream."""
    if not response.headers["Content-Type"].startswith("text/event-stream"):
        return str((await response.json())["choices"][0]["message"]["content"])
    deltas = [
        json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
        for line in (await response.text()).splitlines()
        if line.startswith("data: {")
    ]
    return "".join(deltas)


def ask(text: str, *, after: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A chat request whose last message is the user's `text`, after the messages `after`."""
    return {**CHAT, "messages": [*(after or []), {"role": "user", "content": text}]}


def last_sent(rig: Rig) -> str:
    """The last message's content in the last request the upstream received."""
    return str(json.loads(rig.upstream.bodies[-1])["messages"][-1]["content"])


async def chat(rig: Rig, *roles: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return await rig.client.post(
        "/v1/chat/completions", json=body or CHAT, headers=rig.headers(*roles, **headers)
    )


async def test_when_a_citizen_asks_then_the_upstream_sees_placeholders_and_the_citizen_values(
    compliance_rig: Rig,
) -> None:
    response = await chat(compliance_rig, "warga")
    assert response.status == 200
    answer = await answer_text(response)
    sent = upstream_saw(compliance_rig)
    for value in SEEDED:
        assert value.encode() not in sent
        assert value in answer  # restored for the caller the policy allows
    assert b"<ID_NIK_1>" in sent
    assert UPSTREAM_PHONE not in answer  # what the upstream made up is masked
    assert "Anda menulis:" in answer


async def test_when_an_officer_of_another_service_asks_then_values_stay_masked(
    compliance_rig: Rig,
) -> None:
    response = await chat(compliance_rig, "petugas")
    assert response.status == 200
    answer = await answer_text(response)
    assert NIK not in answer
    assert "<ID_NIK_1>" in answer


async def test_when_the_answer_streams_then_values_split_across_events_are_restored(
    compliance_rig: Rig,
) -> None:
    response = await chat(compliance_rig, "warga", body={**CHAT, "stream": True})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    text = await answer_text(response)
    assert NIK in text
    assert UPSTREAM_PHONE not in text
    assert NIK.encode() not in upstream_saw(compliance_rig)


async def test_when_no_token_is_sent_then_401_with_a_challenge_and_nothing_forwarded(
    compliance_rig: Rig,
) -> None:
    response = await compliance_rig.client.post("/v1/chat/completions", json=CHAT)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert compliance_rig.upstream.bodies == []


async def test_when_the_policy_refuses_then_403_and_nothing_forwarded(
    compliance_rig: Rig,
) -> None:
    response = await chat(compliance_rig, "tamu")
    assert response.status == 403
    assert (await response.json())["code"] == "policy_denied"
    assert compliance_rig.upstream.bodies == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"messages": [', "application/json", 400),
        (b"\x89PNG\r\n", "image/png", 415),
        (b"x", "text/plain; charset=klingon", 415),
    ],
)
async def test_when_a_body_cannot_be_scanned_then_it_is_refused_and_never_forwarded(
    compliance_rig: Rig, body: bytes, content_type: str, status: int
) -> None:
    response = await compliance_rig.client.post(
        "/v1/chat/completions",
        data=body,
        headers=compliance_rig.headers("warga", **{"Content-Type": content_type}),
    )
    assert response.status == status
    assert compliance_rig.upstream.bodies == []


async def test_when_the_detector_fails_then_503_and_nothing_forwarded(
    compliance_rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> list[object]:
        raise TimeoutError("pattern ran out of time")  # what a DetectionTimeout leads to

    monkeypatch.setattr(PiiEngine, "analyze", broken)  # the class: the engine may be compiled
    response = await chat(compliance_rig, "warga")
    assert response.status == 503
    assert (await response.json())["code"] == "detection_failed"
    assert compliance_rig.upstream.bodies == []


async def test_when_a_conversation_continues_then_placeholders_keep_their_numbers(
    compliance_rig: Rig,
) -> None:
    turn = {"X-Conversation-ID": "percakapan-1"}
    first = ask(f"NIK saya {NIK}")
    second = ask(f"HP {PHONE}, NIK {NIK}")
    assert (await chat(compliance_rig, "warga", body=first, **turn)).status == 200
    assert (await chat(compliance_rig, "warga", body=second, **turn)).status == 200
    assert "<ID_NIK_1>" in last_sent(compliance_rig)


async def test_when_the_history_holds_an_answers_placeholders_then_new_values_get_other_numbers(
    compliance_rig: Rig,
) -> None:
    first = await chat(compliance_rig, "warga")
    earlier_answer = await answer_text(first)
    kept = set(PHONE_TOKEN.findall(earlier_answer))
    assert kept, "the upstream's own phone number stays masked in the answer"
    history = [*CHAT["messages"], {"role": "assistant", "content": earlier_answer}]
    second = ask(f"Nomor HP baru saya {NEW_PHONE}", after=history)
    response = await chat(compliance_rig, "warga", body=second)
    assert response.status == 200
    sent = last_sent(compliance_rig)
    assert NEW_PHONE not in sent
    (new_token,) = PHONE_TOKEN.findall(sent)
    assert new_token not in kept
    answer = await answer_text(response)
    assert NEW_PHONE in answer  # the caller's new value comes back


async def test_when_a_request_holds_only_placeholders_then_the_answers_new_ones_differ(
    compliance_rig: Rig,
) -> None:
    first = await chat(compliance_rig, "petugas")
    earlier_answer = await answer_text(first)
    kept = set(PHONE_TOKEN.findall(earlier_answer))
    assert len(kept) == 2, "the caller's number and the upstream's, both masked for this role"
    second = ask("Terima kasih", after=[{"role": "assistant", "content": earlier_answer}])
    response = await chat(compliance_rig, "petugas", body=second)
    assert response.status == 200
    answer = await answer_text(response)
    assert UPSTREAM_PHONE not in answer
    (new_token,) = PHONE_TOKEN.findall(answer)
    assert new_token not in kept  # the upstream's number again, under a number of its own


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_when_a_conversation_continues_without_history_then_answer_placeholders_stay_taken(
    compliance_rig: Rig, stream: bool
) -> None:
    turn = {"X-Conversation-ID": "percakapan-tanpa-riwayat"}
    first = await chat(compliance_rig, "warga", body={**CHAT, "stream": stream}, **turn)
    taken = set(PHONE_TOKEN.findall(await answer_text(first)))
    assert len(taken) == 1, "the upstream's own number stays masked for the citizen"
    second = ask(f"Nomor HP baru {NEW_PHONE}")
    response = await chat(compliance_rig, "warga", body=second, **turn)
    assert response.status == 200
    (new_token,) = PHONE_TOKEN.findall(last_sent(compliance_rig))
    assert new_token not in taken  # the upstream was shown that number for another value
    answer = await answer_text(response)
    assert NEW_PHONE in answer
    assert UPSTREAM_PHONE not in answer


FAMILY = [f"31710125059{n:05d}" for n in range(2, 7)]  # synthetic NIKs of one family


async def test_when_turns_of_a_conversation_race_then_no_placeholder_stands_for_two_values(
    compliance_rig: Rig,
) -> None:
    turn = {"X-Conversation-ID": "percakapan-serentak"}

    assert (await chat(compliance_rig, "warga", body=ask(f"NIK saya {NIK}"), **turn)).status == 200
    responses = await asyncio.gather(
        *(
            chat(compliance_rig, "warga", body=ask(f"NIK anggota keluarga {nik}"), **turn)
            for nik in FAMILY
        )
    )
    answers = [await answer_text(r) for r in responses]
    assert [r.status for r in responses] == [200] * len(FAMILY)
    sent = [json.loads(b)["messages"][0]["content"] for b in compliance_rig.upstream.bodies[1:]]
    placeholders = [re.findall(r"<ID_NIK_\d+>", text) for text in sent]
    assert all(len(found) == 1 for found in placeholders), "each turn sends one placeholder"
    assert len({found[0] for found in placeholders}) == len(FAMILY)
    assert "<ID_NIK_1>" not in {found[0] for found in placeholders}  # the first turn's NIK
    for nik, answer in zip(FAMILY, answers, strict=True):
        assert nik in answer  # each caller gets back the value it sent, not another turn's


async def test_when_exchanges_happened_then_the_audit_log_verifies_and_holds_no_values(
    compliance_rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await chat(compliance_rig, "warga")).status == 200
    assert (await chat(compliance_rig, "tamu")).status == 403
    assert (await compliance_rig.client.post("/v1/chat/completions", json=CHAT)).status == 401
    await compliance_rig.service.close()  # flushes and closes the segment

    assert gerbang(["audit", "verify", str(compliance_rig.audit_dir)]) == 0
    capsys.readouterr()
    export = ["audit", "export", str(compliance_rig.audit_dir), "--key"]
    assert gerbang([*export, str(compliance_rig.auditor_key), "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    statuses = sorted(r["status"] for r in records if r.get("event", "exchange") == "exchange")
    assert statuses == [200, 401, 403]
    allowed = next(r for r in records if r.get("status") == 200)
    assert {p["type"] for p in allowed["pii"] if p["side"] == "request"} >= {"ID_NIK"}
    assert allowed["purpose"] == "layanan_informasi"
    assert allowed["principal"].startswith("p1:")

    assert not files_holding(compliance_rig.audit_dir, SEEDED)


def files_holding(directory: Path, values: tuple[str, ...]) -> list[str]:
    """Names of files under `directory` that contain any of `values` (never the values)."""
    return [
        path.name
        for path in directory.rglob("*")
        if path.is_file() and any(value.encode() in path.read_bytes() for value in values)
    ]


async def test_when_exchanges_succeed_and_fail_then_no_log_line_holds_a_value(
    compliance_rig: Rig, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await chat(compliance_rig, "warga", body={**CHAT, "stream": True})).status == 200
    assert (await chat(compliance_rig, "tamu")).status == 403

    def broken(*_: object, **__: object) -> list[object]:
        raise ValueError(f"cannot parse {NIK}")  # an error message that carries a value

    monkeypatch.setattr(PiiEngine, "analyze", broken)  # the class: the engine may be compiled
    # A text this caller has not sent: the request's detection fails.
    new_turn = ask(f"NIK {NIK}, KTP saya hilang.")
    failed = await chat(compliance_rig, "warga", body=new_turn)
    assert (failed.status, (await failed.json())["code"]) == (503, "detection_failed")
    # A text sent before: its findings are remembered, the response's scan fails, still a 503.
    failed = await chat(compliance_rig, "warga")
    assert (failed.status, (await failed.json())["code"]) == (503, "detection_failed")
    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__} {record.exc_text or ''}"
        for record in caplog.records
    )
    assert caplog.records
    assert not any(value in logged for value in SEEDED)


async def test_when_an_opa_server_decides_then_the_exchange_behaves_the_same(
    rig_factory: RigFactory, opa_binary: str
) -> None:
    with running_opa(opa_binary, rig_factory.policy_dir()) as url:
        rig = await rig_factory.start(
            {"engine": "opa", "opa": {"url": url, "timeout": 2.0}, "cache": {"max_entries": 0}}
        )
        response = await chat(rig, "warga")
        assert response.status == 200
        assert NIK in await answer_text(response)
        assert NIK.encode() not in upstream_saw(rig)
        assert (await chat(rig, "tamu")).status == 403
    refused = await chat(rig, "warga")  # OPA is gone (and nothing cached): refuse, never allow
    assert refused.status == 503
    assert (await refused.json())["code"] == "policy_unavailable"


async def test_when_the_audit_log_cannot_be_written_then_exchanges_are_refused_unforwarded(
    compliance_rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = compliance_rig.service.parts.audit_writer
    assert writer is not None

    def disk_full(_: list[bytes]) -> None:
        raise OSError(28, "No space left on device")  # what a full disk raises

    monkeypatch.setattr(writer._store, "append", disk_full)
    first = await chat(compliance_rig, "warga")  # its record fails before the answer is sent
    assert first.status == 503
    before = len(compliance_rig.upstream.bodies)
    refused = await chat(compliance_rig, "warga")
    assert refused.status == 503
    assert (await refused.json())["code"] == "audit_unavailable"
    assert len(compliance_rig.upstream.bodies) == before  # nothing forwarded while failing


def _exported(rig: Rig, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    export = ["audit", "export", str(rig.audit_dir), "--key", str(rig.auditor_key)]
    assert gerbang([*export, "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize(
    ("trusted", "recorded"), [(["127.0.0.0/8"], "203.0.113.7"), ([], "127.0.0.1")]
)
async def test_when_a_trusted_balancer_forwards_then_the_record_names_the_client(
    rig_factory: RigFactory,
    capsys: pytest.CaptureFixture[str],
    trusted: list[str],
    recorded: str,
) -> None:
    rig = await rig_factory.start(server={"trusted_proxies": trusted})
    response = await chat(rig, "warga", **{"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
    assert response.status == 200
    await rig.service.close()
    (record,) = [r for r in _exported(rig, capsys) if r.get("event", "exchange") == "exchange"]
    assert record["client_address"] == recorded
