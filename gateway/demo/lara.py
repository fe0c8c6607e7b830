"""LARA (Layanan Asisten Rakyat): a deterministic OpenAI-compatible demo upstream.

LARA plays the public-service assistant of a Dukcapil office. It answers in Indonesian from a few
fixed texts chosen by keyword and quotes back every identifier it was given (NIK/KK numbers, phone
numbers, e-mail addresses, names), so that masking by the gateway in front of it is visible.
No model, no network and no randomness are involved in the answer.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

MODEL = "lara-1"
_MODEL_CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z
_STREAM_DELAY = web.AppKey("stream_delay", float)
_WORDS_PER_CHUNK = 3

_FREE = "Layanan ini gratis, tidak dipungut biaya."
_ANSWERS: dict[str, str] = {
    "pindah": (
        "Untuk pindah domisili, ajukan Surat Keterangan Pindah Warga Negara Indonesia (SKPWNI) "
        "ke Dinas Dukcapil daerah asal dengan membawa Kartu Keluarga dan e-KTP; banyak daerah "
        "juga menerimanya secara daring. Setibanya di tempat baru, serahkan SKPWNI ke Dinas "
        "Dukcapil daerah tujuan agar diterbitkan KK dan e-KTP dengan alamat baru. " + _FREE
    ),
    "akta": (
        "Untuk mengurus akta kelahiran, siapkan surat keterangan lahir dari rumah sakit, "
        "puskesmas, atau bidan, Kartu Keluarga, e-KTP kedua orang tua, serta buku nikah atau "
        "akta perkawinan bila ada. Laporkan kelahiran ke Dinas Dukcapil atau melalui kantor "
        "kecamatan paling lambat 60 hari sejak kelahiran. " + _FREE
    ),
    "kk": (
        "Untuk membuat atau memperbarui Kartu Keluarga, bawa KK lama, e-KTP, dan dokumen "
        "pendukung seperti buku nikah, akta kelahiran anggota keluarga baru, atau surat "
        "keterangan pindah. Permohonan diajukan ke Dinas Dukcapil atau kantor kecamatan, dan "
        "KK baru dapat dicetak sendiri karena sudah memakai tanda tangan elektronik. " + _FREE
    ),
    "ktp": (
        "Untuk perekaman e-KTP, Anda harus berusia minimal 17 tahun atau sudah menikah dan "
        "membawa Kartu Keluarga. Perekaman foto, sidik jari, dan iris mata dilakukan di Dinas "
        "Dukcapil atau kantor kecamatan sesuai domisili, lalu Anda dapat mengaktifkan aplikasi "
        "Identitas Kependudukan Digital (IKD). " + _FREE
    ),
    "umum": (
        "Halo, saya LARA (Layanan Asisten Rakyat), asisten layanan publik Dinas Kependudukan "
        "dan Pencatatan Sipil. Saya dapat membantu informasi perekaman e-KTP, Kartu Keluarga, "
        "akta kelahiran, dan surat pindah domisili. Silakan sebutkan layanan yang Anda "
        "perlukan; semua layanan Dukcapil gratis, tidak dipungut biaya."
    ),
}
# Ties are broken by this order: the most specific topic wins.
_TOPICS: dict[str, re.Pattern[str]] = {
    "pindah": re.compile(r"\b(pindah|domisili|skpwni|moving|move|relocat\w*)\b"),
    "akta": re.compile(r"\b(akta|akte|kelahiran|lahir|birth certificate|birth)\b"),
    "kk": re.compile(r"\b(kk|kartu keluarga|family card)\b"),
    "ktp": re.compile(
        r"\b(e-ktp|ektp|ktp|kartu tanda penduduk|(?:pe)?rekam\w*|identity card|id card)\b"
    ),
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NIK = re.compile(r"(?<![\d+])[1-9](?:[ .-]?\d){15}(?!\d)")
_KK_BEFORE = re.compile(r"(?i)\b(?:kk|kartu keluarga)\b\D{0,20}$")
_PHONE = re.compile(r"(?<![\w+])(?:\+62|62|0)[ -]?8\d{1,3}(?:[ .-]?\d{3,4}){1,3}(?!\d)")
_NAME = re.compile(
    r"\b(?i:nama[ \t]+saya(?:[ \t]+adalah)?|atas[ \t]+nama|saya)[ \t]+"
    r"(<PERSON_\d+>|[A-Z][a-z]+(?:['-][A-Za-z]+)*(?:[ \t]+[A-Z][a-z]+(?:['-][A-Za-z]+)*){0,3})"
)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def extract_emails(text: str) -> list[str]:
    """Return the e-mail addresses in `text`, verbatim and in order."""
    return _unique(_EMAIL.findall(text))


def extract_id_numbers(text: str) -> list[tuple[str, str]]:
    """Return `(label, number)` for 16-digit NIK/KK numbers; the label is "KK" when so named."""
    text = _blank(text, _EMAIL)
    found = [
        ("nomor KK" if _KK_BEFORE.search(text[: m.start()]) else "NIK", m.group(0))
        for m in _NIK.finditer(text)
    ]
    return list(dict.fromkeys(found))


def extract_phones(text: str) -> list[str]:
    """Return Indonesian mobile numbers (08…, +62 8…, 62 8…) in `text`, verbatim."""
    text = _blank(_blank(text, _EMAIL), _NIK)
    phones = [m.group(0) for m in _PHONE.finditer(text)]
    return _unique([p for p in phones if 10 <= len(re.sub(r"\D", "", p)) <= 14])


def extract_names(text: str) -> list[str]:
    """Return capitalised names after "nama saya", "atas nama" or "saya" (best effort)."""
    return _unique([m.group(1) for m in _NAME.finditer(text)])


_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*)_\d+>")
_PLACEHOLDER_LABELS = {"ID_NIK": "NIK", "ID_KK": "nomor KK", "PHONE_NUMBER": "nomor HP",
                       "EMAIL_ADDRESS": "email"}  # fmt: skip


def extract_placeholders(text: str) -> list[tuple[str, str]]:
    """Return `(label, token)` for gateway placeholders such as `<ID_NIK_1>`, quoted as given."""
    return _unique_pairs(
        (_PLACEHOLDER_LABELS.get(m.group(1), "data"), m.group(0))
        for m in _PLACEHOLDER.finditer(text)
        if m.group(1) != "PERSON"
    )


def _unique_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def describe_identifiers(text: str) -> str:
    """Return the sentence quoting back the identifiers in `text`, or "" if there are none.

    Behind the gateway LARA sees placeholders instead of values, and quotes those back as a real
    assistant would; the gateway then restores them for callers allowed to see the values.
    """
    parts = [f"{label} {number}" for label, number in extract_id_numbers(text)]
    parts += [f"{label} {token}" for label, token in extract_placeholders(text)]
    parts += [f"nomor HP {phone}" for phone in extract_phones(text)]
    parts += [f"email {email}" for email in extract_emails(text)]
    names = extract_names(text)
    if not parts and not names:
        return ""
    sentence = "Data yang Anda berikan: " + ", ".join(parts)
    if names:
        sentence += ("; " if parts else "") + "atas nama " + " dan ".join(names)
    return sentence + "."


def pick_topic(text: str) -> str:
    """Return the topic key whose keywords occur most often in `text` ("umum" if none)."""
    lowered = text.lower()
    scores = {topic: len(pattern.findall(lowered)) for topic, pattern in _TOPICS.items()}
    best = max(scores, key=lambda topic: scores[topic])
    return best if scores[best] > 0 else "umum"


def answer(text: str) -> str:
    """Return LARA's answer to the user message `text`."""
    quoted = describe_identifiers(text)
    reply = _ANSWERS[pick_topic(text)]
    return f"{reply} {quoted}" if quoted else reply


class _InvalidRequestError(Exception):
    def __init__(self, message: str, param: str | None, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


def _error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> web.Response:
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return web.json_response({"error": error}, status=status)


def _content_text(content: Any, param: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list):
        raise _InvalidRequestError(f"{param} must be a string or a list of parts.", param)
    texts: list[str] = []
    for i, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise _InvalidRequestError(
                f"{param}[{i}] must be an object with a 'type'.", f"{param}[{i}]"
            )
        if part["type"] == "text":
            if not isinstance(part.get("text"), str):
                raise _InvalidRequestError(
                    f"{param}[{i}].text must be a string.", f"{param}[{i}].text"
                )
            texts.append(part["text"])
    return "\n".join(texts)


def _parse(body: Any) -> tuple[str, list[tuple[str, str]], bool, bool]:
    """Validate a Chat Completions body; return (model, [(role, text)], stream, include_usage)."""
    if not isinstance(body, dict):
        raise _InvalidRequestError("The request body must be a JSON object.", None)
    model = body.get("model", MODEL)
    if not isinstance(model, str) or not model:
        raise _InvalidRequestError("model must be a non-empty string.", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _InvalidRequestError(
            "messages must be a non-empty array.", "messages", "missing_messages"
        )
    parsed: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise _InvalidRequestError(
                f"messages[{i}] must be an object with a 'role'.", f"messages[{i}]"
            )
        text = _content_text(message.get("content"), f"messages[{i}].content")
        parsed.append((message["role"], text))
    stream = body.get("stream")
    if stream is None:
        stream = False
    elif not isinstance(stream, bool):
        raise _InvalidRequestError("stream must be a boolean.", "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise _InvalidRequestError("stream_options must be an object.", "stream_options")
    return model, parsed, stream, options.get("include_usage") is True


def _words(text: str) -> int:
    return len(text.split())


async def _chat_completions(request: web.Request) -> web.StreamResponse:
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "The request body is not valid JSON.", None, "invalid_json")
    try:
        model, messages, stream, include_usage = _parse(body)
    except _InvalidRequestError as exc:
        return _error(400, exc.message, exc.param, exc.code)
    question = next((text for role, text in reversed(messages) if role == "user"), "")
    reply = answer(question)
    prompt_tokens = sum(_words(text) for _, text in messages)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": _words(reply),
        "total_tokens": prompt_tokens + _words(reply),
    }
    head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": model}
    if not stream:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": reply, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
        return web.json_response(
            {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
        )

    def chunk(delta: dict[str, str], finish: str | None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "object": "chat.completion.chunk", "choices": [choice]}

    pieces = re.findall(r"\S+\s*", reply)
    events = [chunk({"role": "assistant"}, None)]
    events += [
        chunk({"content": "".join(pieces[i : i + _WORDS_PER_CHUNK])}, None)
        for i in range(0, len(pieces), _WORDS_PER_CHUNK)
    ]
    events.append(chunk({}, "stop"))
    if include_usage:
        events.append({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage})
    response = web.StreamResponse(headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.content_type = "text/event-stream"
    response.charset = "utf-8"
    await response.prepare(request)
    delay = request.app[_STREAM_DELAY]
    try:
        for i, event in enumerate(events):
            if i and delay > 0:
                await asyncio.sleep(delay)
            await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
    except ConnectionResetError:
        pass  # The client went away; there is nobody left to answer.
    return response


async def _models(_request: web.Request) -> web.Response:
    model = {"id": MODEL, "object": "model", "created": _MODEL_CREATED, "owned_by": "gerbang-demo"}
    return web.json_response({"object": "list", "data": [model]})


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404:
            message, code = f"Unknown request URL: {request.method} {request.path}.", "unknown_url"
        else:
            message, code = exc.reason, exc.reason.lower().replace(" ", "_")
        return _error(exc.status, message, None, code)


def create_app(*, stream_delay: float = 0.05) -> web.Application:
    """Build the LARA application; `stream_delay` is the pause in seconds between stream chunks."""
    app = web.Application(middlewares=[_json_errors])
    app[_STREAM_DELAY] = stream_delay
    app.router.add_post("/v1/chat/completions", _chat_completions)
    app.router.add_get("/v1/models", _models)
    app.router.add_get("/healthz", _healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve LARA alone (`python -m gateway.demo.lara --port 8000`), e.g. as a compose service."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m gateway.demo.lara")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
