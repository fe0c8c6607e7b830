"""Signing key rotated between segments: the log verifies with the exported public keys."""

from __future__ import annotations

from audit.cli import main as audit_main
from audit.verify import Damage, verify_stream
from audit.writer import AuditWriter
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.audit.helpers import make_record


async def test_when_the_signing_key_rotates_mid_stream_then_verify_uses_each_heads_key(
    tmp_path, auditor, capsys
):
    keyring = Keyring.create(tmp_path / "keyring", create_kek_file(tmp_path / "kek"))
    old_export = tmp_path / "public-v1.json"
    old_export.write_text(keyring.export_public())
    directory = tmp_path / "audit"

    async with AuditWriter(directory, [auditor.public], keyring.signer) as writer:
        for index in range(3):
            await writer.append(make_record(index))
        keyring.rotate("signing")  # `gerbang keys rotate signing`
        await writer.rotate()  # the next segment is signed with the new key
        for index in range(3, 6):
            await writer.append(make_record(index))
    new_export = tmp_path / "public-v2.json"
    new_export.write_text(keyring.export_public())

    report = verify_stream(directory, keyring.public_keys())
    assert report.ok, [str(p) for p in report.problems]
    assert report.key_ids == {"signing-1", "signing-2"}
    assert report.records == 6

    assert audit_main(["verify", str(directory), "--public-key", str(new_export)]) == 0
    assert "signing keys: signing-1, signing-2" in capsys.readouterr().out

    # An auditor still holding only the old export sees exactly where the unknown key starts.
    assert audit_main(["verify", str(directory), "--public-key", str(old_export)]) == 1
    out = capsys.readouterr().out
    assert "heads.log head 1: wrong key" in out  # head 0 closes segment 1 with signing-1
    assert "signing-2" in out
    # Both exports together are as good as the new one.
    args = ["--public-key", str(old_export), "--public-key", str(new_export)]
    assert audit_main(["verify", str(directory), *args]) == 0
    first = verify_stream(directory, {"signing-1": keyring.public_keys()["signing-1"]})
    assert first.problems[0].kind is Damage.WRONG_KEY
