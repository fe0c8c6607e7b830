"""keys.keyring: versioned single-purpose keys sealed under the KEK, rotation, refusals."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest

from keys.algorithms import AeadError, ed25519_verify, hmac_sha256
from keys.errors import KekError, KeyFilePermissions, KeyringError
from keys.kek import LocalKek, create_kek_file, encode_kek, kek_from_env
from keys.keyring import KEYRING_FILE, PURPOSES, Keyring


def all_material(keyring: Keyring) -> list[bytes]:
    return [keyring.get(info.purpose, info.version).material for info in keyring.list()]


def test_when_created_then_one_version_per_purpose_in_a_0600_file(
    keyring: Keyring, keyring_dir: Path
) -> None:
    assert [(i.key_id, i.current) for i in keyring.list()] == [
        ("signing-1", True),
        ("pseudonym-1", True),
        ("token-1", True),
    ]
    path = keyring_dir / KEYRING_FILE
    assert keyring.path == path
    assert path.stat().st_mode & 0o777 == 0o600
    assert keyring_dir.stat().st_mode & 0o777 == 0o700


def test_when_opened_again_then_the_same_keys_come_back(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    reopened = Keyring.open(keyring_dir, kek)
    assert reopened.keyring_id == keyring.keyring_id
    assert reopened.list() == keyring.list()
    assert all_material(reopened) == all_material(keyring)


def test_when_the_file_is_read_then_no_key_material_is_in_clear(
    keyring: Keyring, keyring_dir: Path
) -> None:
    text = (keyring_dir / KEYRING_FILE).read_text()
    for material in all_material(keyring):
        assert material.hex() not in text
        assert json.dumps(list(material)) not in text
    for material in all_material(keyring):
        assert base64.b64encode(material).decode() not in text


def test_when_a_keyring_exists_then_create_refuses_to_replace_it(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    with pytest.raises(KeyringError, match="already exists"):
        Keyring.create(keyring_dir, kek)
    assert Keyring.open(keyring_dir, kek).keyring_id == keyring.keyring_id


def test_when_purposes_are_compared_then_they_never_share_material(keyring: Keyring) -> None:
    for purpose in PURPOSES:
        keyring.rotate(purpose)
    materials = all_material(keyring)
    assert len(materials) == 6
    assert len(set(materials)) == 6


def test_when_rotated_then_new_current_version_and_old_versions_stay_readable(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    old_token = keyring.token_sealer().seal(b"placeholder value", b"ctx")
    old_pseudonym = keyring.pseudonym("issuer|subject")
    old_key_id, old_signer = keyring.signer()
    old_signature = old_signer.sign(b"head")

    new = keyring.rotate("token")
    keyring.rotate("pseudonym")
    keyring.rotate("signing")
    assert (new.key_id, keyring.current("token").key_id) == ("token-2", "token-2")

    reopened = Keyring.open(keyring_dir, kek)
    assert reopened.current("signing").key_id == "signing-2"
    assert [(i.key_id, i.current) for i in reopened.list() if i.purpose == "token"] == [
        ("token-1", False),
        ("token-2", True),
    ]
    assert reopened.token_sealer(1).open(old_token, b"ctx") == b"placeholder value"
    with pytest.raises(AeadError):
        reopened.token_sealer().open(old_token, b"ctx")
    assert reopened.pseudonym("issuer|subject", version=1) == old_pseudonym
    assert reopened.pseudonym("issuer|subject").startswith("p2:")
    assert reopened.pseudonyms("issuer|subject")[-1] == old_pseudonym
    assert old_key_id == "signing-1"
    public_keys = reopened.public_keys()
    assert list(public_keys) == ["signing-1", "signing-2"]
    assert ed25519_verify(public_keys["signing-1"], b"head", old_signature)
    key_id, signer = reopened.signer()
    assert key_id == "signing-2"
    assert ed25519_verify(public_keys["signing-2"], b"head", signer.sign(b"head"))
    assert not ed25519_verify(public_keys["signing-1"], b"head", signer.sign(b"head"))


def test_when_two_handles_rotate_then_no_version_is_lost(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    other = Keyring.open(keyring_dir, kek)
    keyring.rotate("token")
    assert other.rotate("token").version == 3  # saw the first rotation on disk
    assert [i.version for i in Keyring.open(keyring_dir, kek).list() if i.purpose == "token"] == [
        1,
        2,
        3,
    ]


def test_when_rotating_concurrently_then_versions_are_distinct(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    results: list[int] = []

    def rotate() -> None:
        results.append(Keyring.open(keyring_dir, kek).rotate("pseudonym").version)

    threads = [threading.Thread(target=rotate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [2, 3, 4, 5]
    assert len(Keyring.open(keyring_dir, kek).pseudonyms("x")) == 5


def test_when_pseudonymising_then_stable_per_version_and_keyed(keyring: Keyring) -> None:
    first = keyring.pseudonym("https://idp.example|user-123")
    assert first == keyring.pseudonym("https://idp.example|user-123")
    assert first.startswith("p1:")
    assert len(first) == len("p1:") + 64
    assert first != keyring.pseudonym("https://idp.example|user-124")
    material = keyring.current("pseudonym").material
    assert first == "p1:" + hmac_sha256(material, b"https://idp.example|user-123").hex()
    assert "user-123" not in first


def test_when_asking_for_an_unknown_purpose_or_version_then_keyring_error(
    keyring: Keyring,
) -> None:
    with pytest.raises(KeyringError, match="unknown key purpose 'audit'"):
        keyring.current("audit")
    with pytest.raises(KeyringError, match="unknown key purpose"):
        keyring.rotate("kek")
    with pytest.raises(KeyringError, match="no key token-7"):
        keyring.get("token", 7)
    with pytest.raises(KeyringError, match="no key pseudonym-2"):
        keyring.pseudonym("x", version=2)


def test_when_printed_then_key_versions_and_keyring_show_no_material(keyring: Keyring) -> None:
    key = keyring.current("token")
    assert key.material.hex() not in repr(key)
    assert repr(key.material) not in repr(key)
    assert repr(keyring) == f"Keyring({keyring.path})"


# -- refusals at open -------------------------------------------------------------------------


def test_when_the_keyring_file_is_readable_by_others_then_refused_naming_it(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    keyring.path.chmod(0o644)
    with pytest.raises(KeyFilePermissions, match=f"{keyring.path}: permissions 0644"):
        Keyring.open(keyring_dir, kek)


def test_when_opened_with_another_kek_then_a_clear_kek_error(
    keyring: Keyring, keyring_dir: Path
) -> None:
    wrong = kek_from_env("WRONG_KEK", {"WRONG_KEK": encode_kek(bytes(32))})
    with pytest.raises(KekError) as caught:
        Keyring.open(keyring_dir, wrong)
    message = str(caught.value)
    assert str(keyring.path) in message
    assert "environment variable WRONG_KEK" in message
    assert "does not open this keyring" in message
    assert caught.value.code == "kek_invalid"


def test_when_no_keyring_exists_then_error_says_how_to_create_one(
    tmp_path: Path, kek: LocalKek
) -> None:
    with pytest.raises(KeyringError, match=r"no such file.*gerbang keys init"):
        Keyring.open(tmp_path / "nowhere", kek)


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["keys"][0].update(purpose="token"), "does not open"),  # moved purpose
        (lambda d: d["keys"][1].update(version=2), "pseudonym-2 does not open"),
        (lambda d: d["keys"].append(d["keys"][1]), r"keys\[3\]: pseudonym-1 out of order"),
        (lambda d: d["keys"][0].update(sealed=d["keys"][1]["sealed"]), "signing-1 does not open"),
        (lambda d: d["keys"].pop(2), "no token key"),
        (lambda d: d["keys"][0].update(purpose="kek"), "unknown purpose 'kek'"),
        (lambda d: d["keys"][0].update(sealed="%%%"), r"keys\[0\].sealed: not base64"),
        (lambda d: d.update(format_version=9), "unsupported format_version"),
        (lambda d: d.update(format="other"), "not a Gerbang keyring"),
        (lambda d: d.pop("keyring_id"), "keyring_id: missing"),
        (lambda d: d.update(keyring_id="another"), "does not open this keyring"),
        (lambda d: d["keys"][0].update(version=True), "version: missing or not a int"),
    ],
)
def test_when_the_file_was_changed_then_open_refuses_naming_file_and_entry(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek, change, problem: str
) -> None:
    _edit(keyring.path, change)
    with pytest.raises((KeyringError, KekError), match=problem) as caught:
        Keyring.open(keyring_dir, kek)
    assert str(keyring.path) in str(caught.value)


def test_when_an_entry_is_moved_to_another_purpose_then_it_does_not_open(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    """A sealed signing key relabelled as a token key is refused: never two purposes."""

    def swap(document: dict) -> None:
        keys = document["keys"]
        keys[0]["sealed"], keys[2]["sealed"] = keys[2]["sealed"], keys[0]["sealed"]

    _edit(keyring.path, swap)
    with pytest.raises(KeyringError, match="moved from another purpose"):
        Keyring.open(keyring_dir, kek)


def test_when_an_entry_comes_from_another_keyring_then_it_does_not_open(
    tmp_path: Path, kek: LocalKek
) -> None:
    first = Keyring.create(tmp_path / "a", kek)
    second = Keyring.create(tmp_path / "b", kek)
    foreign = json.loads(second.path.read_text())["keys"][2]
    _edit(first.path, lambda d: d["keys"].__setitem__(2, foreign))
    with pytest.raises(KeyringError, match="token-1 does not open"):
        Keyring.open(tmp_path / "a", kek)


def test_when_the_file_is_not_json_then_keyring_error(
    keyring: Keyring, keyring_dir: Path, kek: LocalKek
) -> None:
    keyring.path.write_text("{ truncated")
    with pytest.raises(KeyringError, match=f"{keyring.path}: not a JSON keyring"):
        Keyring.open(keyring_dir, kek)


def test_when_created_with_a_kek_file_then_it_opens_with_the_same_key_from_env(
    tmp_path: Path,
) -> None:
    kek = create_kek_file(tmp_path / "kek")
    Keyring.create(tmp_path / "ring", kek)
    text = (tmp_path / "kek").read_text().strip()
    assert Keyring.open(tmp_path / "ring", kek_from_env("K", {"K": text})).list()
