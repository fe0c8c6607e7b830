"""EmailRecognizer through the engine: any case, known public suffixes only, offline.

Addresses are synthetic, on domains reserved for examples or made up under real suffixes.
"""

from __future__ import annotations

import socket

import pytest

from pii.engine import PiiEngine
from pii.recognizers.email import EmailRecognizer
from tests.pii.recognizers.probe import RecognizerProbe

PROBE = RecognizerProbe(EmailRecognizer())
ENGINE = PROBE.engine
found = PROBE.found
spans = PROBE.spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Email: budi.santoso@contoh.co.id", "budi.santoso@contoh.co.id", id="co-id"),
        pytest.param(
            "surel saya siti.aminah@mail.ugm.ac.id, terima kasih",
            "siti.aminah@mail.ugm.ac.id",
            id="university-subdomain",
        ),
        pytest.param(
            "kirim ke BUDI_SANTOSO+tag@Example.COM ya.", "BUDI_SANTOSO+tag@Example.COM", id="caps"
        ),
        pytest.param("admin.desa@sukamaju.desa.id", "admin.desa@sukamaju.desa.id", id="desa-id"),
        pytest.param("pengaduan@dinas.go.id.", "pengaduan@dinas.go.id", id="sentence-end"),
        pytest.param(
            '<a href="mailto:andi@example.org">tulis</a>', "andi@example.org", id="mailto"
        ),
        pytest.param("(rina.w@example.net)", "rina.w@example.net", id="in-brackets"),
        pytest.param("Email : x_y-z@contoh.id\nHP : -", "x_y-z@contoh.id", id="form"),
        pytest.param("my email is o'brien@example.com", "o'brien@example.com", id="apostrophe"),
        pytest.param("wa/email: dewi99@yahoo.co.id", "dewi99@yahoo.co.id", id="digits"),
        pytest.param("EMAIL: RAHMAT@GMAIL.COM", "RAHMAT@GMAIL.COM", id="shouted"),
    ],
)
def test_when_an_address_has_a_known_suffix_then_it_is_reported(text: str, value: str) -> None:
    assert found(text) == spans(text, value)


def test_when_a_message_lists_several_addresses_then_each_is_reported() -> None:
    text = "cc: a.rahman@contoh.co.id; b.lestari@example.com, dan c@example.org"
    assert found(text) == spans(
        text, "a.rahman@contoh.co.id", "b.lestari@example.com", "c@example.org"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("icon@2x.png dan logo@3x.jpg", id="retina-image-names"),
        pytest.param("ssh admin@localhost", id="localhost"),
        pytest.param("test a@b.invalid", id="reserved-invalid"),
        pytest.param("contoh user@contoh.example", id="reserved-example-tld"),
        pytest.param("mention @budi_santoso di twitter", id="handle"),
        pytest.param("npm i pkg@1.2.3", id="package-version"),
        pytest.param("foo@@bar.com", id="double-at"),
        pytest.param("budi@-bad.com", id="label-starts-with-dash"),
        pytest.param("harga @ Rp 15.000", id="at-as-price"),
        pytest.param("budi at contoh dot co dot id", id="spelled-out"),
        pytest.param("a@b", id="no-dot"),
    ],
)
def test_when_text_only_looks_like_an_address_then_nothing_is_reported(text: str) -> None:
    assert found(text) == []


def test_when_an_email_word_is_near_then_the_score_is_boosted() -> None:
    (bare,) = ENGINE.analyze("budi@example.com")
    (labelled,) = ENGINE.analyze("email budi@example.com")
    assert labelled.score > bare.score >= 0.5


def test_when_an_address_sits_in_a_long_text_then_its_offsets_are_exact() -> None:
    text = "x" * 5000 + " kontak: budi@example.com " + "y " * 3000 + "lagi siti@example.org"
    assert found(text) == spans(text, "budi@example.com", "siti@example.org")


def test_when_the_domain_is_checked_then_nothing_reaches_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: socket.socket, address: object) -> None:
        raise OSError(f"network access to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    engine = PiiEngine(recognizers=[EmailRecognizer()])
    text = "budi@contoh-baru.co.id"
    assert [f.value_in(text) for f in engine.analyze(text)] == [text]
