"""Synthetic Indonesian chat requests for `python -m bench pipeline`: OpenAI Chat Completions JSON.

Each body is a conversation with a citizen service assistant: a system prompt, earlier turns for
the larger sizes, and a last user message that gives a name, a NIK and a phone number in running
text, as people write them in chat. Every value is synthetic (the NIK has a valid shape: Bandung,
born 25 May 1990; it belongs to nobody). Bodies are deterministic for a given size.

The last user message begins with a turn tag, `(giliran zzzzzz)`: `with_turn` (and the wrk script,
in Lua) writes a different six-letter word there for every request, so that each request is a new
turn of the same conversation, as in real chat: the history and system prompt repeat, the last
message is new. A gateway cannot then answer a request from what it learnt of an identical one.
"""

from __future__ import annotations

import json
from typing import Any

NAME = "Budi Santoso"
NIK = "3273012505900001"
PHONE = "081234567890"
SEEDED = (NIK, PHONE)  # values the upstream must never see behind the full pipeline
MODEL = "lara-1"

SYSTEM = (
    "Anda adalah LARA, asisten layanan publik Dinas Kependudukan dan Pencatatan Sipil. "
    "Jawablah dengan sopan dan singkat dalam bahasa Indonesia."
)
# The last user message: the personal data, then filler questions until the body has its size.
TURN_TAG = "zzzzzz"  # replaced per request; the letters a-y only are written there
TURN_LETTERS = "abcdefghijklmnopqrstuvwxy"
_CONTACT = f"NIK saya {NIK} dan nomor HP yang bisa dihubungi {PHONE}. "
OPENING = f"(giliran {TURN_TAG}) Selamat siang, nama saya {NAME}. " + _CONTACT
FILLER = (
    "Saya ingin menanyakan cara memperbarui data e-KTP karena alamat saya sudah pindah ke "
    "kecamatan lain sejak bulan lalu.",
    "Apakah saya perlu datang langsung ke kantor Dukcapil atau bisa diurus secara daring?",
    "Dokumen apa saja yang harus saya siapkan, misalnya surat pindah dan Kartu Keluarga yang lama?",
    "Berapa lama biasanya proses penerbitan Kartu Keluarga yang baru setelah berkas lengkap?",
    "Kalau ada kesalahan penulisan tanggal lahir di akta, apakah bisa diperbaiki sekaligus?",
    "Saya juga ingin tahu apakah aplikasi Identitas Kependudukan Digital bisa dipakai untuk "
    "mengurus layanan ini.",
    "Terima kasih atas bantuannya, mohon informasinya secepatnya karena saya akan melamar "
    "pekerjaan.",
)
# Earlier turns of the larger bodies (the assistant answers carry no personal data).
HISTORY = (
    ("user", "Halo LARA, saya mau bertanya soal layanan kependudukan."),
    (
        "assistant",
        "Halo, dengan senang hati saya bantu. Saya dapat memberi informasi tentang perekaman "
        "e-KTP, Kartu Keluarga, akta kelahiran, dan surat pindah domisili. Layanan Dukcapil "
        "gratis, tidak dipungut biaya.",
    ),
    (
        "user",
        "Kemarin saya sudah ke kantor kecamatan tetapi antreannya panjang sekali dan sistemnya "
        "sedang gangguan, jadi saya disuruh kembali minggu depan.",
    ),
    (
        "assistant",
        "Mohon maaf atas ketidaknyamanannya. Untuk menghindari antrean, Anda dapat mengambil "
        "nomor antrean secara daring melalui laman resmi Dinas Dukcapil atau datang pada pagi "
        "hari. Siapkan Kartu Keluarga asli, e-KTP lama, dan surat keterangan pindah bila alamat "
        "berubah. Petugas akan memverifikasi berkas dan merekam ulang data bila diperlukan.",
    ),
)


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def chat_body(size: int, *, stream: bool) -> bytes:
    """A chat-completions request body of about `size` bytes (within 2%), compact JSON, UTF-8."""
    if size < 512:
        raise ValueError("bodies are at least 512 bytes")
    history: list[dict[str, str]] = [_message("system", SYSTEM)]
    turn = 0
    last = OPENING

    def encode() -> bytes:
        document: dict[str, Any] = {
            "model": MODEL,
            "messages": [*history, _message("user", last)],
            "temperature": 0.2,
        }
        if stream:
            document["stream"] = True
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    # Larger bodies carry history; the last message stays within a quarter of the body.
    while len(encode()) < size * 3 // 4 - 200 and size > 2048:
        role, content = HISTORY[turn % len(HISTORY)]
        history.append(_message(role, content))
        turn += 1
    index = 0
    while len(encode()) < size:
        sentence = FILLER[index % len(FILLER)]
        candidate = last + sentence + " "
        last = candidate
        index += 1
    body = encode()
    while len(body) > size:  # trim the last sentence's words back to the size
        last = last.rsplit(" ", 2)[0] + " "
        body = encode()
    return body


def turn_word(turn: int) -> str:
    """The six letters that tag turn number `turn` (base 25, a-y: never the tag itself)."""
    letters = []
    for _ in range(len(TURN_TAG)):
        turn, digit = divmod(turn, len(TURN_LETTERS))
        letters.append(TURN_LETTERS[digit])
    return "".join(reversed(letters))


def with_turn(body: bytes, turn: int) -> bytes:
    """`body` as turn number `turn`: its turn tag replaced by that turn's word."""
    if body.count(TURN_TAG.encode()) != 1:
        raise ValueError("the body has no single turn tag")
    return body.replace(TURN_TAG.encode(), turn_word(turn).encode())


def last_user_text(document: dict[str, Any]) -> str:
    """The content of the last user message (a string or text parts), as an assistant reads it."""
    for message in reversed(document.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content or "")
    return ""
