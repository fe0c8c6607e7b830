"""`gerbang demo` as a real process: the banner, the example request, streaming, the openai SDK."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import openai
import pytest

from tests.gateway.process import HOST, Gerbang, Launcher

pytestmark = pytest.mark.timeout(60)

CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=15)
BANNER_END = "Press Ctrl-C to stop."
FREE = "gratis, tidak dipungut biaya"


@pytest.fixture
async def launcher(tmp_path, gerbang_cmd, subprocess_env) -> AsyncIterator[Launcher]:
    launcher = Launcher(tmp_path, gerbang_cmd, subprocess_env)
    yield launcher
    await launcher.close()


@pytest.fixture
async def demo(launcher, unused_tcp_port_factory, tmp_path) -> Gerbang:
    return await launcher.demo(
        port=unused_tcp_port_factory(),
        admin_port=unused_tcp_port_factory(),
        directory=tmp_path / "demo",
    )


def _tokens(banner: str) -> list[str]:
    """The demo callers' tokens the banner exports: the citizen's first, then the officer's."""
    return re.findall(r"export TOKEN\d=(\S+)", banner)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _curl_bodies(banner: str) -> list[dict[str, Any]]:
    """The JSON bodies of the banner's curl commands, in order."""
    return [json.loads(body) for body in re.findall(r"-d '(\{.*\})'", banner)]


async def _stop_with_ctrl_c(gw: Gerbang) -> None:
    stopped = await gw.stop(signal.SIGINT)
    assert stopped.exit_code == 0, "\n".join(stopped.lines)
    assert "Traceback" not in gw.stderr()


async def test_when_demo_runs_then_banner_example_is_answered_in_indonesian(demo):
    banner = await demo.wait_output(BANNER_END)
    endpoint = f"http://{HOST}:{demo.port}/v1/chat/completions"
    assert endpoint in banner
    assert f"curl -s {endpoint}" in banner
    assert f"http://{HOST}:{demo.admin_port}/metrics" in banner
    example, _ = _curl_bodies(banner)
    assert example["messages"][0]["role"] == "user"
    citizen, _ = _tokens(banner)

    async with (
        aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session,
        session.post(endpoint, json=example, headers=_auth(citizen)) as resp,
    ):
        assert resp.status == 200
        data = await resp.json()

    assert data["object"] == "chat.completion"
    assert data["model"] == example["model"]
    (choice,) = data["choices"]
    assert choice["finish_reason"] == "stop"
    answer = choice["message"]["content"]
    assert answer.startswith("Untuk perekaman e-KTP, Anda harus")
    assert "Dinas Dukcapil" in answer
    assert FREE in answer
    await _stop_with_ctrl_c(demo)


async def test_when_stream_requested_then_events_arrive_incrementally(demo):
    banner = await demo.wait_output(BANNER_END)
    example, stream_example = _curl_bodies(banner)
    assert stream_example == {**example, "stream": True}
    endpoint = f"{demo.url}/v1/chat/completions"
    citizen, _ = _tokens(banner)

    arrivals: list[tuple[float, str]] = []
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        async with session.post(endpoint, json=stream_example, headers=_auth(citizen)) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/event-stream"
            async for line in resp.content:
                if line.startswith(b"data: "):
                    arrivals.append((time.monotonic(), line.decode().removeprefix("data: ")))
        async with session.post(endpoint, json=example, headers=_auth(citizen)) as resp:
            whole = (await resp.json())["choices"][0]["message"]["content"]

    assert arrivals[-1][1].strip() == "[DONE]"
    chunks = [json.loads(data) for _, data in arrivals[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    streamed = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks)
    assert streamed == whole
    # LARA pauses between events; a buffering gateway would deliver them all at once.
    first, done = arrivals[0][0], arrivals[-1][0]
    assert done - first > 0.5, f"all events arrived within {done - first:.3f}s"
    halfway = first + (done - first) / 2
    assert 3 < sum(1 for at, _ in arrivals if at < halfway) < len(arrivals) - 3
    await _stop_with_ctrl_c(demo)


async def test_when_openai_sdk_points_at_gateway_then_completions_and_streams_work(demo):
    citizen, _ = _tokens(await demo.wait_output(BANNER_END))
    client = openai.AsyncOpenAI(
        base_url=f"{demo.url}/v1", api_key=citizen, max_retries=0, timeout=15.0
    )
    question = [{"role": "user", "content": "Bagaimana cara mengurus akta kelahiran anak saya?"}]
    try:
        models = await client.models.list()
        assert [model.id for model in models.data] == ["lara-1"]

        completion = await client.chat.completions.create(model="lara-1", messages=question)
        answer = completion.choices[0].message.content
        assert answer is not None
        assert answer.startswith("Untuk mengurus akta kelahiran")
        assert FREE in answer
        assert completion.usage is not None
        assert completion.usage.completion_tokens == len(answer.split())

        stream = await client.chat.completions.create(
            model="lara-1", messages=question, stream=True
        )
        pieces = [chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]
        assert len(pieces) > 3
        assert "".join(pieces) == answer
    finally:
        await client.close()
    await _stop_with_ctrl_c(demo)


NIK = "3273012505900001"  # the synthetic NIK of the banner's example


async def test_when_the_citizen_and_the_officer_ask_then_only_the_citizen_sees_the_nik(
    demo, tmp_path
):
    banner = await demo.wait_output(BANNER_END)
    example, _ = _curl_bodies(banner)
    assert NIK in example["messages"][0]["content"]
    citizen, officer = _tokens(banner)
    endpoint = f"{demo.url}/v1/chat/completions"
    answers = {}
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        for name, token in (("citizen", citizen), ("officer", officer)):
            async with session.post(endpoint, json=example, headers=_auth(token)) as resp:
                assert resp.status == 200
                answers[name] = (await resp.json())["choices"][0]["message"]["content"]
        async with session.post(endpoint, json=example) as resp:
            assert resp.status == 401
    assert NIK in answers["citizen"]  # LARA quotes it back; the gateway restores it
    assert NIK not in answers["officer"]
    assert "<ID_NIK_1>" in answers["officer"]
    await _stop_with_ctrl_c(demo)

    audit_dir = tmp_path / "demo" / "audit"
    assert f"gerbang audit verify {audit_dir}" in banner
    verify = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "audit", "verify", str(audit_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(verify.communicate(), 60)
    assert verify.returncode == 0, output.decode()
