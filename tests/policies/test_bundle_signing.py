"""Signature verification of bundles: what the embedded engine accepts, it accepts as OPA does.

Every case is also shown to the real OPA (`opa build --verification-key`, the check `opa run`
makes before activating a bundle): the embedded engine and OPA agree on each.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.components import Components
from gateway.config import config_from_mapping
from gateway.errors import ConfigError
from policies import DEFAULT_BUNDLE
from policies.embedded import EmbeddedEngine
from policies.signing import file_digest, load_verification_key
from policies.store import PolicyLoadError, load_policy_files
from tests.gateway.process import route
from tests.policies.opa import opa_binary
from tests.policies.signed_bundles import (
    TESTER,
    Built,
    Signing,
    built,
    jwt_payload,
    members,
    opa_accepts,
    repack,
    signatures_with,
    signing,
)
from tests.policies.table import CITIZEN

__all__ = ["built", "opa_binary", "signing"]

Change = Callable[[dict[str, bytes]], None]


def _append(name: str, extra: bytes) -> Change:
    def change(files: dict[str, bytes]) -> None:
        files[name] += extra

    return change


def _add(name: str, content: bytes) -> Change:
    def change(files: dict[str, bytes]) -> None:
        files[name] = content

    return change


def _remove(name: str) -> Change:
    def change(files: dict[str, bytes]) -> None:
        del files[name]

    return change


def _grant_tester(files: dict[str, bytes]) -> None:
    data = json.loads(files["data.json"])
    data["gerbang_data"]["roles"]["penguji"] = {"services": ["lara"], "restore": False}
    files["data.json"] = json.dumps(data).encode()


def _resign(alg: str, public_pem: Path) -> Change:
    def change(files: dict[str, bytes]) -> None:
        payload = jwt_payload(files[".signatures.json"])
        header = {"alg": alg, "kid": "default", "typ": "JWT"}
        # HS256 keyed with the public key's PEM: the classic algorithm confusion attack
        files[".signatures.json"] = signatures_with(header, payload, public_pem.read_bytes())

    return change


def _two_tokens(files: dict[str, bytes]) -> None:
    document = json.loads(files[".signatures.json"])
    document["signatures"] *= 2
    files[".signatures.json"] = json.dumps(document).encode()


REFUSED = {
    "rego changed": (_append("access.rego", b"\n# changed\n"),
                     "access.rego: digest mismatch (altered after signing)"),
    "data changed": (_grant_tester, "data.json: digest mismatch"),
    "manifest changed": (_add(".manifest", b'{"revision": "forged", "roots": [""]}'),
                         ".manifest: digest mismatch"),
    "extra module": (_add("extra.rego", b"package extra\n\nx := 1\n"),
                     "extra.rego: not listed in the signature"),
    "extra other file": (_add("README.md", b"hello\n"), "README.md: not listed in the signature"),
    "module removed": (_remove("masking.rego"),
                       "masking.rego: listed in the signature but not in the bundle"),
    "unsigned": (_remove(".signatures.json"), "unsigned: no .signatures.json"),
    "two tokens": (_two_tokens, ".signatures.json: must hold exactly one JWT"),
}  # fmt: skip


@pytest.fixture
def key(signing: Signing) -> object:
    return load_verification_key(signing.trusted.public)


async def test_when_a_bundle_is_signed_by_the_trusted_key_then_it_is_loaded_and_decides(
    built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    engine = EmbeddedEngine(
        built.v2, verification_key=load_verification_key(signing.trusted.public)
    )
    try:
        assert engine.revision == "rev-2"
        assert (await engine.decide(TESTER)).allow is True
        assert (await engine.decide(CITIZEN)).allow is True
    finally:
        await engine.close()
    assert opa_accepts(opa_binary, built.v2, signing.trusted.public, tmp_path)


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_when_a_signed_bundle_is_tampered_with_then_engine_and_opa_refuse_it(
    case: str, built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    change, problem = REFUSED[case]
    bundle = repack(built.v1, tmp_path / "tampered.tar.gz", change)
    key = load_verification_key(signing.trusted.public)

    with pytest.raises(PolicyLoadError) as refused:
        load_policy_files(bundle, verification_key=key)
    assert str(refused.value).startswith(f"{bundle}: bundle refused: {problem}")
    assert not opa_accepts(opa_binary, bundle, signing.trusted.public, tmp_path)


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_when_the_signature_uses_alg_none_or_an_hmac_then_it_is_refused(
    alg: str, built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    bundle = repack(built.v2, tmp_path / "forged.tar.gz", _resign(alg, signing.trusted.public))
    key = load_verification_key(signing.trusted.public)

    with pytest.raises(PolicyLoadError, match=r"\.signatures\.json: signature refused"):
        load_policy_files(bundle, verification_key=key)
    assert not opa_accepts(opa_binary, bundle, signing.trusted.public, tmp_path)


def test_when_a_bundle_is_signed_by_another_key_then_it_is_refused(
    built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    key = load_verification_key(signing.trusted.public)
    with pytest.raises(PolicyLoadError, match=r"bundle refused: \.signatures\.json: signature"):
        load_policy_files(built.v1_other_key, verification_key=key)
    assert not opa_accepts(opa_binary, built.v1_other_key, signing.trusted.public, tmp_path)
    load_policy_files(
        built.v1_other_key, verification_key=load_verification_key(signing.other.public)
    )


def test_when_a_member_appears_twice_then_the_bundle_is_refused(
    built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    bundle = tmp_path / "twice.tar.gz"
    with tarfile.open(built.v1) as source, tarfile.open(bundle, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        evil = tarfile.TarInfo("/access.rego")
        content = b"package gerbang\n\ngranted := true\n"
        evil.size = len(content)
        target.addfile(evil, io.BytesIO(content))

    with pytest.raises(PolicyLoadError, match=r"access\.rego: in the archive twice"):
        load_policy_files(bundle, verification_key=load_verification_key(signing.trusted.public))
    assert not opa_accepts(opa_binary, bundle, signing.trusted.public, tmp_path)


def test_when_data_json_is_reformatted_then_its_signature_still_holds_for_engine_and_opa(
    built: Built, signing: Signing, tmp_path: Path, opa_binary: str
) -> None:
    def reformat(files: dict[str, bytes]) -> None:
        data = json.loads(files["data.json"])
        files["data.json"] = json.dumps(data, indent=4, sort_keys=True).encode()
        manifest = json.loads(files[".manifest"])
        files[".manifest"] = json.dumps(dict(reversed(manifest.items())), indent=1).encode()

    bundle = repack(built.v2, tmp_path / "pretty.tar.gz", reformat)
    assert members(bundle)["data.json"] != members(built.v2)["data.json"]

    files = load_policy_files(
        bundle, verification_key=load_verification_key(signing.trusted.public)
    )
    assert files.revision == "rev-2"
    assert opa_accepts(opa_binary, bundle, signing.trusted.public, tmp_path)


def test_json_files_are_hashed_exactly_as_opa_hashes_them(
    opa_binary: str, signing: Signing, tmp_path: Path
) -> None:
    source = tmp_path / "policy"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "gerbang.rego").write_text("package gerbang\n\ndecision := data.z\n", "utf-8")
    (source / "data.json").write_text(
        '{"z": 1.0, "a": [1e3, -0, 12345678901234567890, 0.1, 2E-7], '
        r'"html": "<b> & </b>", "seps": "\u2028\u2029", "ctl": "\u0001\b\f\n\r\t\u001f\u007f", '
        r'"quote": "\" \\ /", "unicode": "é 😀 \ud83d\ude00", "ék": null, "Ak": [true, false, {}], '
        '"empty": [], "nested_obj": {"b": {"d": 1, "c": 2}, "a": []}}',
        encoding="utf-8",
    )
    (source / "nested" / "deeper" / "data.json").write_text('{"k": "v"}', encoding="utf-8")
    bundle = tmp_path / "b.tar.gz"
    subprocess.run(
        [opa_binary, "build", "--bundle", ".", "--signing-key", str(signing.trusted.private),
         "--revision", "révision ü <1>", "--output", str(bundle)],
        cwd=source, check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    files = members(bundle)
    listed = {
        f["name"]: f["hash"] for f in json.loads(jwt_payload(files[".signatures.json"]))["files"]
    }
    assert set(listed) == {"data.json", ".manifest", "gerbang.rego"}
    for name, digest in listed.items():
        assert file_digest(name, files[name]) == digest, name
    loaded = load_policy_files(
        bundle, verification_key=load_verification_key(signing.trusted.public)
    )
    assert loaded.revision == "révision ü <1>"
    assert loaded.data["nested"] == {"deeper": {"k": "v"}}


def test_when_a_verification_key_is_set_then_a_directory_is_refused(signing: Signing) -> None:
    with pytest.raises(PolicyLoadError, match="a directory carries no signature"):
        EmbeddedEngine(
            DEFAULT_BUNDLE, verification_key=load_verification_key(signing.trusted.public)
        )


@pytest.mark.parametrize(
    ("key", "problem"),
    [("private", "holds a private key; give the public half"),
     ("garbage", "not a PEM public key (RSA, EC or Ed25519)")],
)  # fmt: skip
def test_when_the_verification_key_is_not_a_public_key_then_it_is_refused_by_name(
    key: str, problem: str, signing: Signing, tmp_path: Path
) -> None:
    path = signing.trusted.private
    if key == "garbage":
        path = tmp_path / "garbage.pem"
        path.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: {problem}")):
        load_verification_key(path)


def _gateway_config(bundle: Path, public_key: Path) -> dict[str, object]:
    return {
        "policy": {"dir": str(bundle), "verification_key": str(public_key)},
        "routes": [route("svc", "/", "http://127.0.0.1:9")],
    }


def test_when_the_configured_bundle_fails_verification_then_the_gateway_does_not_start(
    built: Built, signing: Signing, tmp_path: Path
) -> None:
    tampered = repack(built.v1, tmp_path / "tampered.tar.gz", _append("gerbang.rego", b"\n"))
    config = config_from_mapping(_gateway_config(tampered, signing.trusted.public))
    with pytest.raises(ConfigError) as refused:
        Components.build(config)
    assert str(refused.value) == (
        f"[policy]: {tampered}: bundle refused: gerbang.rego: digest mismatch "
        "(altered after signing)"
    )
    config = config_from_mapping(_gateway_config(built.v1, signing.other.public))
    with pytest.raises(ConfigError, match=r"\[policy\]: .*v1.tar.gz: bundle refused: "):
        Components.build(config)


async def test_when_a_signed_bundle_is_replaced_by_a_tampered_one_then_reload_keeps_the_old(
    built: Built, signing: Signing, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "active.tar.gz"
    shutil.copy(built.v1, path)
    engine = EmbeddedEngine(path, verification_key=load_verification_key(signing.trusted.public))
    try:
        repack(built.v2, path, _append("access.rego", b"\n# changed\n"))
        result = await engine.reload()
        assert (result.status, result.revision, engine.revision) == ("refused", "rev-1", "rev-1")
        assert result.error is not None
        assert "access.rego: digest mismatch" in result.error
        assert "access.rego: digest mismatch" in caplog.text
        assert (await engine.decide(TESTER)).allow is False

        shutil.copy(built.v2, path)
        assert (await engine.reload()).status == "applied"
        assert engine.revision == "rev-2"
        assert (await engine.decide(TESTER)).allow is True
    finally:
        await engine.close()
