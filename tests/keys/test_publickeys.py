"""keys.publickeys: the document auditors keep holds public keys only and reads back exactly."""

from __future__ import annotations

import base64
import json

import pytest

from keys.algorithms import generate_ed25519, generate_x25519, public_key_pem
from keys.errors import KeyringError
from keys.keyring import Keyring
from keys.publickeys import read_public_keys


def test_when_exported_then_every_signing_version_reads_back_and_nothing_secret(
    keyring: Keyring,
) -> None:
    keyring.rotate("signing")
    document = keyring.export_public()
    parsed = json.loads(document)
    assert parsed["format"] == "gerbang-public-keys"
    assert parsed["algorithm"] == "Ed25519"
    assert [(k["key_id"], k["current"]) for k in parsed["keys"]] == [
        ("signing-1", False),
        ("signing-2", True),
    ]
    assert read_public_keys(document) == keyring.public_keys()
    for info in keyring.list():
        material = keyring.get(info.purpose, info.version).material
        assert material.hex() not in document
        assert base64.b64encode(material).decode() not in document


def test_when_a_lone_ed25519_pem_is_given_then_it_is_read() -> None:
    _, public = generate_ed25519()
    assert read_public_keys(public_key_pem(public, "ed25519")) == {"pem": public}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "neither a public-key document"),
        ('{"format": "x"}', "not a Gerbang public-key document"),
        ('{"format": "gerbang-public-keys"}', "keys: missing"),
        ('{"format": "gerbang-public-keys", "keys": [{"key_id": "signing-1"}]}', r"keys\[0\]"),
        (
            '{"format": "gerbang-public-keys", "keys": [{"key_id": "s", "public_key": "AAAA"}]}',
            "not a base64 Ed25519 key",
        ),
    ],
)
def test_when_the_document_is_bad_then_keyring_error_names_the_source(
    text: str, problem: str
) -> None:
    with pytest.raises(KeyringError, match=problem) as caught:
        read_public_keys(text, source="auditor.json")
    assert "auditor.json" in str(caught.value)


def test_when_the_pem_is_an_x25519_key_then_refused() -> None:
    _, public = generate_x25519()
    with pytest.raises(KeyringError, match="not an ed25519"):
        read_public_keys(public_key_pem(public, "x25519"), source="k.pem")
