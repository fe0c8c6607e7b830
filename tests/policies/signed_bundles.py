"""Signed bundles for the bundle tests: generated keys, bundles built by the real `opa build`.

`signing` (session) holds two fresh key pairs, the one the gateway trusts and another one, as
PEM files. `built` (session) holds bundles of the default policy signed with each key: `v1`, and
`v2` whose data grants the role `penguji` the service lara (TESTER is refused under v1 and
allowed under v2). `repack` rewrites a bundle's files to tamper with it; `opa_accepts` asks the
real OPA whether it would activate a bundle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from policies import DEFAULT_BUNDLE
from policies.bundles import build_bundle
from tests.policies.table import exchange

TESTER = exchange(("penguji",), "lara", "layanan_informasi")
"""Refused by the default policy (v1), allowed by v2."""


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path


@dataclass(frozen=True)
class Signing:
    trusted: KeyPair
    other: KeyPair
    ec: KeyPair


@dataclass(frozen=True)
class Built:
    v1: Path
    v2: Path
    v1_other_key: Path
    v2_other_key: Path
    v2_source: Path


def write_key_pair(folder: Path, name: str, kind: str = "rsa") -> KeyPair:
    """A fresh key pair as PEM files `name.pem` and `name.pub.pem` in `folder`."""
    key = (
        rsa.generate_private_key(65537, 2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(private, public)


def policy_with_tester(folder: Path) -> Path:
    """A copy of the default policy whose data lets the role `penguji` use lara."""
    copy = Path(shutil.copytree(DEFAULT_BUNDLE, folder))
    data = json.loads((copy / "data.json").read_text(encoding="utf-8"))
    data["gerbang_data"]["roles"]["penguji"] = {"services": ["lara"], "restore": False}
    (copy / "data.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return copy


@pytest.fixture(scope="session")
def signing(tmp_path_factory: pytest.TempPathFactory) -> Signing:
    folder = tmp_path_factory.mktemp("keys")
    return Signing(
        write_key_pair(folder, "trusted"),
        write_key_pair(folder, "other"),
        write_key_pair(folder, "ec", "ec"),
    )


@pytest.fixture(scope="session")
def built(opa_binary: str, signing: Signing, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("bundles")
    v2_source = policy_with_tester(folder / "v2-source")

    def build(source: Path, name: str, key: KeyPair, revision: str) -> Path:
        output = folder / f"{name}.tar.gz"
        build_bundle(source, output, signing_key=key.private, opa=opa_binary, revision=revision)
        return output

    return Built(
        v1=build(DEFAULT_BUNDLE, "v1", signing.trusted, "rev-1"),
        v2=build(v2_source, "v2", signing.trusted, "rev-2"),
        v1_other_key=build(DEFAULT_BUNDLE, "v1-other", signing.other, "rev-1"),
        v2_other_key=build(v2_source, "v2-other", signing.other, "rev-2"),
        v2_source=v2_source,
    )


def members(bundle: Path) -> dict[str, bytes]:
    """The regular files of a bundle by name (without the leading `/`)."""
    with tarfile.open(bundle) as archive:
        return {
            m.name.lstrip("/"): archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }


def repack(bundle: Path, output: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """`bundle` with its files changed by `change` (in place on the name -> content dict)."""
    files = members(bundle)
    change(files)
    with tarfile.open(output, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return output


def signatures_with(header: dict[str, object], payload: bytes, key: bytes) -> bytes:
    """A `.signatures.json` whose one JWT has `header`, signed with HMAC-SHA256 over `key`
    (for alg HS256), or unsigned (alg none)."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    signature = b""
    if header["alg"] == "HS256":
        signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64(signature)}"
    return json.dumps({"signatures": [token], "plugin": "_default"}).encode()


def jwt_payload(signatures: bytes) -> bytes:
    """The payload of the JWT in a `.signatures.json`."""
    token = json.loads(signatures)["signatures"][0]
    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def opa_accepts(
    opa_binary: str, bundle: Path, public_key: Path, workdir: Path, algorithm: str = "RS256"
) -> bool:
    """Whether the real OPA verifies `bundle` with `public_key` (what `opa run` would activate)."""
    done = subprocess.run(
        [opa_binary, "build", "--bundle", str(bundle), "--verification-key", str(public_key),
         "--signing-alg", algorithm, "--output", str(workdir / "opa-verified.tar.gz")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.returncode == 0
