"""Gateway replicas behind nginx share state and keep their audit promise (docs/deployment.md).

Two `gerbang serve` processes behind a real nginx, one Redis, one keyring, one OPA server pulling
the signed default policy bundle from a bundle service, JWT callers (role `warga`) and a
recording OpenAI-compatible assistant (tests/scale/cluster.py). Every request goes through nginx;
which replica answered comes from the replicas' own access logs and audit logs, never from
assumptions about the balancing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from audit.auditor_keys import load_private
from audit.reader import LogReader, ReadRecord
from gateway.demo.identity import DemoCaller
from tests.policies.bundle_service import BundleService
from tests.policies.signed_bundles import Built
from tests.scale.cluster import (
    POLICY_CACHE_S,
    RATE_BURST,
    RATE_LIMITED_PREFIX,
    Cluster,
    citizen,
    rss_bytes,
)
from tests.scale.conftest import OPA_POLLING_S, soak_seconds

pytestmark = pytest.mark.scale

CHAT = "/v1/chat/completions"
NIK_A = "3273012505900001"  # synthetic
NIK_B = "3273014708950002"  # synthetic
PHONE = "081234567890"  # synthetic
PLACEHOLDER = re.compile(r"<ID_NIK_\d+>")
LOG_WAIT_S = 5.0
REJOIN_ATTEMPTS = 10
TIMEOUT = aiohttp.ClientTimeout(total=30)


def chat_body(text: str, *, stream: bool = False) -> dict[str, Any]:
    """One user message, as a client relying on the conversation header sends it."""
    return {"model": "lara", "messages": [{"role": "user", "content": text}], "stream": stream}


def reply_text(raw: bytes, *, streamed: bool) -> str:
    """The assistant's answer as the client received it (SSE deltas joined when streamed)."""
    if not streamed:
        return str(json.loads(raw)["choices"][0]["message"]["content"])
    parts = []
    for line in raw.decode().splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            delta = json.loads(line[6:])["choices"][0]["delta"]
            parts.append(delta.get("content") or "")
    return "".join(parts)


async def answered_by(cluster: Cluster, request_ids: list[str]) -> dict[str, str]:
    """Request id -> replica, from the replicas' access logs (written in batches: wait a little)."""
    deadline = time.monotonic() + LOG_WAIT_S
    while True:
        found = cluster.replica_of()
        if all(rid in found for rid in request_ids) or time.monotonic() > deadline:
            return {rid: found[rid] for rid in request_ids if rid in found}
        await asyncio.sleep(0.05)


# -- (a) conversations ----------------------------------------------------------------------------

# Each turn sends only its new message: the placeholders of earlier turns come from Redis.
TURNS = (
    ("NIK saya {A}, apakah e-KTP saya sudah jadi?", False),
    ("NIK anak saya {B}, sedangkan NIK saya tetap {A}.", False),
    ("Bagaimana status NIK {B} sekarang?", True),  # streamed (SSE) through nginx
    ("Terima kasih, NIK {B} dan NIK {A} sudah benar.", False),
)


async def test_conversation_placeholders_agree_whichever_replica_answers(cluster: Cluster) -> None:
    conversation = f"percakapan-{uuid.uuid4().hex[:12]}"
    caller = citizen(f"warga-{uuid.uuid4().hex[:8]}")
    ids = [f"conv-{uuid.uuid4().hex}" for _ in TURNS]
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for (template, streamed), rid in zip(TURNS, ids, strict=True):
            text = template.format(A=NIK_A, B=NIK_B)
            headers = cluster.headers(caller, **{"X-Conversation-ID": conversation})
            headers["X-Request-ID"] = rid
            body = chat_body(text, stream=streamed)
            async with session.post(cluster.url + CHAT, json=body, headers=headers) as resp:
                assert resp.status == 200, f"turn {rid}: HTTP {resp.status}"
                raw = await resp.read()
            assert text in reply_text(raw, streamed=streamed), (
                f"turn {rid}: the reply does not quote the caller's own values back (restore)"
            )
        # The control: the third turn's message in a conversation of its own gets fresh numbers.
        control = f"control-{uuid.uuid4().hex}"
        headers = cluster.headers(caller, **{"X-Conversation-ID": f"lain-{uuid.uuid4().hex[:8]}"})
        headers["X-Request-ID"] = control
        text = TURNS[2][0].format(A=NIK_A, B=NIK_B)
        async with session.post(cluster.url + CHAT, json=chat_body(text), headers=headers) as resp:
            assert resp.status == 200

    replicas = await answered_by(cluster, ids)
    assert set(replicas) == set(ids), "every turn is in the access log of the replica answering it"
    assert len(set(replicas.values())) >= 2, f"one replica answered every turn: {replicas}"
    for (template, _), rid in zip(TURNS, ids, strict=True):
        seen = cluster.upstream.messages(rid)
        expected = template.format(A="<ID_NIK_1>", B="<ID_NIK_2>")
        assert seen == [expected], f"turn {rid} on {replicas[rid]}: upstream saw {seen}"
    fresh = TURNS[2][0].format(A="<ID_NIK_2>", B="<ID_NIK_1>")
    assert cluster.upstream.messages(control) == [fresh], "a new conversation numbers afresh"


FAMILY = [f"32730125059{n:05d}" for n in range(2, 7)]  # synthetic NIKs, one per family member
RACE_TRIALS = 10


async def test_concurrent_turns_of_a_conversation_never_share_a_placeholder(
    cluster: Cluster,
) -> None:
    caller = citizen(f"warga-{uuid.uuid4().hex[:8]}")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:

        async def turn(conversation: str, text: str, rid: str) -> None:
            headers = cluster.headers(caller, **{"X-Conversation-ID": conversation})
            headers["X-Request-ID"] = rid
            async with session.post(
                cluster.url + CHAT, json=chat_body(text), headers=headers
            ) as resp:
                assert resp.status == 200

        for trial in range(RACE_TRIALS):  # each trial races five turns afresh
            conversation = f"serentak-{uuid.uuid4().hex[:12]}"
            await turn(conversation, f"NIK saya {NIK_A}.", f"{conversation}-0")
            ids = [f"{conversation}-{n}" for n in range(1, len(FAMILY) + 1)]
            await asyncio.gather(
                *(
                    turn(conversation, f"NIK anggota keluarga saya {nik}.", rid)
                    for nik, rid in zip(FAMILY, ids, strict=True)
                )
            )
            given: dict[str, list[str]] = {}
            for rid in ids:
                (message,) = cluster.upstream.messages(rid)
                (placeholder,) = PLACEHOLDER.findall(message)
                given.setdefault(placeholder, []).append(rid)
            shared = {p: len(rids) for p, rids in given.items() if len(rids) > 1}
            assert not shared, f"trial {trial}: one placeholder for several values: {shared}"


# -- (b) rate limits ------------------------------------------------------------------------------


async def test_rate_limit_holds_across_replicas(cluster: Cluster) -> None:
    caller = citizen(f"warga-{uuid.uuid4().hex[:8]}")
    ids = [f"rl-{uuid.uuid4().hex}" for _ in range(3 * RATE_BURST)]
    url = cluster.url + RATE_LIMITED_PREFIX + "/chat/completions"

    async def one(session: aiohttp.ClientSession, rid: str) -> tuple[int, str | None]:
        headers = {**cluster.headers(caller), "X-Request-ID": rid}
        async with session.post(url, json=chat_body("Jam buka kantor?"), headers=headers) as r:
            await r.read()
            return r.status, r.headers.get("Retry-After")

    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        answers = dict(
            zip(ids, await asyncio.gather(*(one(session, rid) for rid in ids)), strict=True)
        )

    statuses = Counter(status for status, _ in answers.values())
    assert statuses == {200: RATE_BURST, 429: 2 * RATE_BURST}, statuses
    for status, retry_after in answers.values():
        if status == 429:
            assert retry_after is not None
            assert 1 <= int(retry_after) <= 60, retry_after
    replicas = await answered_by(cluster, ids)
    assert set(replicas) == set(ids)
    handled = Counter(replicas.values())
    admitted = Counter(replicas[rid] for rid, (status, _) in answers.items() if status == 200)
    # Buckets of their own would have let each replica admit up to the whole burst.
    assert len(handled) >= 2, handled
    assert sum(min(n, RATE_BURST) for n in handled.values()) > RATE_BURST, handled
    assert sum(admitted.values()) == RATE_BURST, admitted


# -- (c) policy updates ---------------------------------------------------------------------------

SLACK_S = 3.0
"""Seconds allowed beyond OPA's polling interval and the decision cache's age for download,
verification and compilation on a busy 2-core machine."""
PROBES = 8


async def test_a_policy_update_reaches_every_replica_and_records_name_its_revision(
    cluster: Cluster, bundles: BundleService, built: Built
) -> None:
    tester = DemoCaller(f"penguji-{uuid.uuid4().hex[:8]}", ("penguji",), "a tester (scale tests)")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:

        async def probe(tag: str) -> dict[str, int]:
            """Request id -> status of PROBES requests as the tester, spread by nginx."""
            ids = [f"policy-{tag}-{uuid.uuid4().hex}" for _ in range(PROBES)]

            async def one(rid: str) -> int:
                headers = {**cluster.headers(tester), "X-Request-ID": rid}
                async with session.post(
                    cluster.url + CHAT, json=chat_body("Jam buka kantor?"), headers=headers
                ) as response:
                    await response.read()
                    return response.status

            return dict(zip(ids, await asyncio.gather(*(one(rid) for rid in ids)), strict=True))

        before = await probe("v1")
        assert set(before.values()) == {403}, "the default policy does not know `penguji`"

        published = time.monotonic()
        bundles.publish(built.v2)
        deadline = OPA_POLLING_S + POLICY_CACHE_S + SLACK_S
        while True:
            after = await probe("v2")
            if set(after.values()) == {200}:
                break
            assert time.monotonic() - published < deadline, f"not everywhere in {deadline} s"
            await asyncio.sleep(0.1)
        reached_s = time.monotonic() - published

    answered = await answered_by(cluster, [*before, *after])
    assert {answered[rid] for rid in after} == {r.name for r in cluster.replicas}
    view = auditor_view(cluster, f"policy-{uuid.uuid4().hex[:8]}")
    revisions = {
        item.record.request_id: item.record.decision and item.record.decision.policy_revision
        for item in read_all(cluster, view)
    }
    assert {revisions[rid] for rid in before} == {"rev-1"}
    assert {revisions[rid] for rid in after} == {"rev-2"}
    print(f"policy rev-2 answered by every replica {reached_s:.2f} s after publishing")


# -- (d) SIGKILL under load -----------------------------------------------------------------------


@dataclass
class Load:
    """Outcomes of requests driven through nginx, by request id."""

    complete: set[str] = field(default_factory=set)  # 200 and the whole JSON answer received
    failed: Counter[str] = field(default_factory=Counter)  # anything else, by kind
    sent: int = 0


async def drive(cluster: Cluster, seconds: float, workers: int, prefix: str) -> Load:
    """`workers` clients posting chat turns with personal data through nginx for `seconds`."""
    load = Load()
    deadline = time.monotonic() + seconds
    text = f"NIK saya {NIK_A}, nomor HP {PHONE}. Kapan KTP saya selesai?"

    async def worker(session: aiohttp.ClientSession, index: int) -> None:
        caller = citizen(f"warga-{prefix}-{index}")
        token = cluster.headers(caller)["Authorization"]
        n = 0
        while time.monotonic() < deadline:
            rid = f"{prefix}-{index}-{n}"
            n += 1
            load.sent += 1
            headers = {
                "Authorization": token,
                "X-Request-ID": rid,
                "X-Conversation-ID": f"{prefix}-{index}-{n % 4}",
            }
            try:
                async with session.post(
                    cluster.url + CHAT, json=chat_body(text), headers=headers
                ) as resp:
                    raw = await resp.read()
                    if resp.status != 200:
                        load.failed[f"HTTP {resp.status}"] += 1
                        continue
                    answer = reply_text(raw, streamed=False)
            except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
                load.failed[type(exc).__name__] += 1
                continue
            if text not in answer:
                load.failed["reply without the caller's own values"] += 1
                continue
            load.complete.add(rid)

    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(timeout=TIMEOUT, connector=connector) as session:
        await asyncio.gather(*(worker(session, i) for i in range(workers)))
    return load


def auditor_view(cluster: Cluster, name: str) -> Path:
    """An auditor's directory: every replica's stream as one subdirectory (symbolic links).

    `gerbang audit` reads a stream or a directory of streams; each replica's audit directory
    holds its stream one level down (`<host>-worker-0`), so the replicas' directories are linked
    here stream by stream.
    """
    view = cluster.tmp / name
    view.mkdir()
    for replica in cluster.replicas:
        (stream,) = [p for p in replica.audit_dir.iterdir() if p.is_dir()]
        (view / replica.name).symlink_to(stream, target_is_directory=True)
    return view


def verify_all(cluster: Cluster, view: Path, public_keys: Path) -> None:
    """`gerbang audit verify` over every stream, with the gateway's public signing keys."""
    done = cluster.gerbang("audit", "verify", str(view), "--public-key", str(public_keys), "--json")
    assert done.returncode == 0, f"audit verify failed:\n{done.stdout}\n{done.stderr}"
    reports = json.loads(done.stdout)
    assert len(reports) == len(cluster.replicas)
    assert all(report["ok"] and not report["problems"] for report in reports), reports


def export_all(cluster: Cluster, view: Path) -> list[dict[str, Any]]:
    """`gerbang audit export` of every stream together: the records, in the order written out."""
    out = view.parent / f"{view.name}-{uuid.uuid4().hex[:8]}.jsonl"
    done = cluster.gerbang(
        "audit", "export", str(view), "--key", str(cluster.auditor_key), "--out", str(out)
    )
    assert done.returncode == 0, f"audit export failed:\n{done.stderr}"
    return [json.loads(line) for line in out.read_text().splitlines()]


def public_signing_keys(cluster: Cluster) -> Path:
    """`gerbang keys export-public`: what an auditor verifies signatures with."""
    path = cluster.tmp / "signing-public.json"
    if not path.exists():
        done = cluster.gerbang(
            "keys", "export-public", "--dir", str(cluster.keys_dir),
            "--kek-file", str(cluster.kek_file), "--out", str(path),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    return path


def read_all(cluster: Cluster, view: Path) -> list[ReadRecord]:
    """Every record with the stream it is in, read with the auditor's key (audit.reader)."""
    private, public = load_private(cluster.auditor_key)
    reader = LogReader(private, public)
    found = list(reader.records(view))
    assert not reader.problems, reader.problems
    return found


def streams_of(cluster: Cluster, view: Path) -> dict[str, str]:
    """Request id -> the replica whose stream holds its record."""
    return {item.record.request_id: item.stream.name for item in read_all(cluster, view)}


@pytest.mark.timeout(180)
async def test_sigkill_under_load_loses_no_answered_exchange_record(cluster: Cluster) -> None:
    victim = cluster.replicas[-1]
    prefix = f"kill{uuid.uuid4().hex[:6]}"
    task = asyncio.create_task(drive(cluster, 5.0, workers=8, prefix=prefix))
    await asyncio.sleep(2.0)
    cluster.kill(victim)
    load = await task
    assert await victim.process.wait_exit(5.0)
    assert len(load.complete) > 20, f"too little load to judge: {load}"

    public_keys = public_signing_keys(cluster)
    view = auditor_view(cluster, f"auditor-{prefix}")
    verify_all(cluster, view, public_keys)  # the killed stream as the crash left it
    records = export_all(cluster, view)
    counts = Counter(r["request_id"] for r in records if r["request_id"].startswith(prefix))
    missing = sorted(load.complete - set(counts))
    assert not missing, f"answered exchanges without an audit record: {missing[:5]}"
    assert max(counts.values()) == 1, [rid for rid, n in counts.items() if n > 1][:5]
    by_id = {r["request_id"]: r for r in records}
    assert all(by_id[rid]["status"] == 200 for rid in load.complete)
    where = streams_of(cluster, view)
    served = Counter(where[rid] for rid in load.complete)
    assert served[victim.name] > 0, f"the killed replica had answered nothing: {served}"
    assert len(served) == len(cluster.replicas), served
    # ... and the record is in the stream of the replica nginx sent the exchange to.
    assert cluster.nginx is not None
    sent_to = {e["request_id"]: e["upstream"] for e in cluster.nginx.access_lines()}
    address = {replica.name: replica.address for replica in cluster.replicas}
    wrong = [rid for rid in load.complete if sent_to.get(rid) != address[where[rid]]]
    assert not wrong, f"records in another replica's stream than nginx's: {wrong[:5]}"
    # Each replica's records come out in the order they were made.
    for name in served:
        times = [r["time"] for r in records if where.get(r["request_id"]) == name]
        assert times == sorted(times), f"{name}: records out of time order"

    # The replica comes back on its own stream: recovery closes it, and everything verifies.
    process = await cluster.launcher.serve(victim.config, wait=False)
    await process.wait_ready(60.0)
    victim.process = process
    for attempt in range(REJOIN_ATTEMPTS):  # nginx retries a failed server after fail_timeout
        after = await drive(cluster, 1.0, workers=4, prefix=f"{prefix}-after{attempt}")
        assert after.complete
        assert not after.failed, after.failed
        if after.complete & await asyncio.to_thread(victim.request_ids):
            break
    else:
        raise AssertionError(f"nginx sent nothing to the restarted {victim.name}")
    verify_all(cluster, view, public_keys)
    recovered = [r for r in read_all(cluster, view) if r.record.event == "audit_recovery"]
    assert {r.stream.name for r in recovered} == {victim.name}, "the restart noted its recovery"


async def test_audit_export_of_all_replicas_is_in_time_order(cluster: Cluster) -> None:
    prefix = f"order{uuid.uuid4().hex[:6]}"
    load = await drive(cluster, 1.5, workers=4, prefix=prefix)
    assert load.complete
    assert not load.failed, load.failed
    view = auditor_view(cluster, f"auditor-{prefix}")
    records = [r for r in export_all(cluster, view) if r["request_id"].startswith(prefix)]
    where = streams_of(cluster, view)
    assert len({where[r["request_id"]] for r in records}) == len(cluster.replicas)
    times = [r["time"] for r in records]
    assert times == sorted(times), "the export is not in time order across replicas"


# -- (e) sustained load ---------------------------------------------------------------------------

RSS_INTERVAL_S = 1.0
RSS_GROWTH_LIMIT = 16 * 1024 * 1024  # after warm-up; the soak variant shows whether it is a trend


@pytest.mark.timeout(soak_seconds() + 120)
async def test_sustained_load_has_no_errors_and_flat_memory(cluster: Cluster) -> None:
    seconds = soak_seconds()
    warmup = min(5.0, seconds / 4)
    pids = {replica.name: replica.process.pid for replica in cluster.replicas}
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in pids}
    prefix = f"soak{uuid.uuid4().hex[:6]}"
    task = asyncio.create_task(drive(cluster, seconds, workers=8, prefix=prefix))
    started = time.monotonic()
    while not task.done():
        now = time.monotonic() - started
        for name, pid in pids.items():
            samples[name].append((now, rss_bytes(pid)))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), RSS_INTERVAL_S)
    load = task.result()

    assert not load.failed, f"errors under sustained load: {dict(load.failed)} of {load.sent}"
    assert len(load.complete) >= seconds, f"hardly any load: {len(load.complete)} exchanges"
    for name, series in samples.items():
        settled = [rss for t, rss in series if t >= warmup]
        assert settled, name
        quarters = [settled[min(len(settled) - 1, k * len(settled) // 4)] for k in range(5)]
        print(
            f"{name}: {len(load.complete)} exchanges in {seconds:g} s; RSS after warm-up, by "
            f"quarter: {' -> '.join(f'{rss / 2**20:.1f}' for rss in quarters)} MiB"
        )
        growth = max(settled) - settled[0]
        assert growth <= RSS_GROWTH_LIMIT, (
            f"{name}: RSS grew {growth / 2**20:.1f} MiB after warm-up "
            f"({settled[0] / 2**20:.0f} -> {max(settled) / 2**20:.0f} MiB)"
        )
    for replica in cluster.replicas:
        loud = [e for e in replica.process.json_lines() if e.get("level") in ("error", "critical")]
        assert not loud, f"{replica.name} logged errors: {loud[:3]}"
