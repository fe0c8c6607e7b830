"""docker/prepare: the stack's secrets, certificates and signed bundle, made outside the repository,
owner-only where secret, and never replaced once made (a new KEK would orphan the keyring)."""

from __future__ import annotations

import base64
import hashlib
import stat
import tarfile

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.docker.conftest import run_prepare
from tests.docker.stack import services

SECRETS = {"GERBANG_KEK", "REDIS_PASSWORD", "OIDC_CLIENT_SECRET", "OIDC_TLS_KEY"}


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_when_prepare_runs_then_every_file_the_stack_mounts_exists(prepared):
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith("./generated/"):
                made = prepared.generated / source.removeprefix("./generated/")
                assert made.exists(), f"{name}: {source}"
                # Containers of other users read it: world-readable, never writable.
                assert _mode(made) & 0o444 == 0o444, source
                assert not _mode(made) & 0o022, source


def test_when_prepare_runs_then_secrets_are_owner_only_and_private_keys_are_kept_apart(prepared):
    assert _mode(prepared.env_file) == 0o600
    assert set(prepared.env) == SECRETS
    assert len(base64.b64decode(prepared.env["GERBANG_KEK"], validate=True)) == 32
    assert len(prepared.env["REDIS_PASSWORD"]) >= 40
    private = prepared.generated / "private"
    assert _mode(private) == 0o700
    assert {p.name for p in private.iterdir()} == {
        "ca.key",
        "oidc.key",
        "bundle-signing.pem",
        "auditor-demo.pem",
    }
    for path in private.iterdir():
        assert _mode(path) == 0o600, path.name
    # Nothing private among the files containers mount.
    for path in prepared.generated.rglob("*"):
        if path.is_file() and private not in path.parents:
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_when_prepare_runs_then_redis_holds_only_the_password_hash(prepared):
    acl = (prepared.generated / "redis" / "users.acl").read_text("utf-8")
    password = prepared.env["REDIS_PASSWORD"]
    assert password not in acl
    assert f"#{hashlib.sha256(password.encode()).hexdigest()}" in acl
    assert acl.splitlines()[0] == "user default off"


def test_when_prepare_runs_then_the_oidc_front_has_a_certificate_of_the_stack_ca(prepared):
    ca = x509.load_pem_x509_certificate((prepared.generated / "tls" / "ca.pem").read_bytes())
    cert = x509.load_pem_x509_certificate((prepared.generated / "tls" / "oidc.pem").read_bytes())
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"oidc.gerbang.test", "localhost"}
    key = serialization.load_pem_private_key(prepared.env["OIDC_TLS_KEY"].encode(), None)
    assert key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_when_prepare_runs_then_the_bundle_is_signed_and_holds_no_tests(prepared):
    with tarfile.open(prepared.generated / "bundles" / "gerbang.tar.gz") as bundle:
        names = {member.name.lstrip("/") for member in bundle.getmembers()}
    assert {".manifest", ".signatures.json", "data.json", "gerbang.rego"} <= names
    assert not [name for name in names if name.endswith("_test.rego")]


def test_when_prepare_runs_again_then_it_keeps_every_secret_and_re_signs_the_bundle(tmp_path):
    first = run_prepare(tmp_path)
    assert first.returncode == 0, first.stderr
    env_before = (tmp_path / ".env").read_bytes()
    private = tmp_path / "generated" / "private"
    keys_before = {p.name: p.read_bytes() for p in private.iterdir()}
    public_before = (tmp_path / "generated" / "tls" / "ca.pem").read_bytes()
    manifest_before = _manifest(tmp_path)

    second = run_prepare(tmp_path)

    assert second.returncode == 0, second.stderr
    assert (tmp_path / ".env").read_bytes() == env_before
    assert {p.name: p.read_bytes() for p in private.iterdir()} == keys_before
    assert (tmp_path / "generated" / "tls" / "ca.pem").read_bytes() == public_before
    assert "built and signed the policy bundle" in second.stdout
    assert list((tmp_path / "generated" / "bundles").iterdir()) == [
        tmp_path / "generated" / "bundles" / "gerbang.tar.gz"
    ]  # the staging file was renamed into place
    assert b'"revision"' in _manifest(tmp_path)
    assert b'"revision"' in manifest_before


def _manifest(root):
    with tarfile.open(root / "generated" / "bundles" / "gerbang.tar.gz") as bundle:
        member = next(m for m in bundle.getmembers() if m.name.lstrip("/") == ".manifest")
        handle = bundle.extractfile(member)
        return handle.read() if handle else None
