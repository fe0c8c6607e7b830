"""No seeded raw value reaches any file under the audit directory, an export, or the app log."""

from __future__ import annotations

import logging

from audit.cli import main as audit_main
from audit.record import (
    AuditRecord,
    Decision,
    PiiCount,
    client_address,
    now_rfc3339,
    path_template,
    principal_input,
)
from audit.segment import segment_path
from audit.store import SegmentStore
from audit.writer import AuditWriter
from keys.algorithms import private_key_pem
from keys.kek import create_kek_file
from keys.keyring import Keyring

# Synthetic values, seeded where an exchange carries them: the token subject, the path, the
# query, the client address.
RAW_VALUES = (
    "3204111507890004",  # NIK
    "siti.rahayu@contoh.go.id",
    "Siti Rahayu",
    "Siti+Rahayu",
    "081298765432",
    "warga-siti-0042",  # the token's subject
    "198.51.100.23",
)


def _append_bytes(path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def _record(keyring: Keyring, index: int) -> AuditRecord:
    """A record built the way the gateway builds one, from an exchange full of raw values."""
    target = (
        "/v1/warga/3204111507890004/dokumen?email=siti.rahayu@contoh.go.id"
        "&nama=Siti+Rahayu&telp=081298765432"
    )
    return AuditRecord(
        time=now_rfc3339(),
        request_id=f"req-{index}",
        principal=keyring.pseudonym(principal_input("https://sso.contoh.go.id", "warga-siti-0042")),
        client_address=client_address("198.51.100.23", truncate=True),
        route="layanan",
        method="POST",
        path_template=path_template(target),
        purpose="layanan-publik",
        decision=Decision(allow=True, status=200, policy_revision="rev-7"),
        pii=(
            PiiCount(side="request", type="ID_NIK", count=2, category="umum", operator="hash"),
            PiiCount(side="request", type="PERSON", count=1, category="umum", operator="mask"),
        ),
        status=200,
    )


async def test_no_seeded_raw_value_appears_in_the_audit_directory_exports_or_logs(
    tmp_path, auditor, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    keyring = Keyring.create(tmp_path / "keyring", create_kek_file(tmp_path / "kek"))
    directory = tmp_path / "audit"
    store = SegmentStore(directory, [auditor.public], keyring.signer)
    store.open()
    for index in range(20):
        store.append([_record(keyring, index).to_json()])
    store.checkpoint()
    store.release()  # the process dies; then a torn write, for recovery notes in the app log
    _append_bytes(segment_path(directory, 1), b"\x00\x00\x01\x00partial")
    async with AuditWriter(directory, [auditor.public], keyring.signer) as writer:
        await writer.append(_record(keyring, 20))

    key_file = tmp_path / "auditor.pem"
    key_file.write_text(private_key_pem(auditor.private, "x25519"))
    key_file.chmod(0o600)
    outputs = []
    for command in (
        ["export", str(directory), "--key", str(key_file)],
        ["export", str(directory), "--key", str(key_file), "--format", "csv"],
        ["stats", str(directory), "--key", str(key_file), "--json"],
        ["verify", str(directory), "--json"],
    ):
        assert audit_main(command) == 0
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
    assert "req-20" in outputs[0]  # the exports really hold the records
    assert "recovery" in caplog.text

    files = sorted(path for path in directory.rglob("*") if path.is_file())
    assert len(files) >= 6
    leaks = [
        (str(path.name), index)
        for path in files
        for index, value in enumerate(RAW_VALUES)
        if value.encode() in path.read_bytes()
    ]
    leaks += [
        ("export", index) for out in outputs for index, v in enumerate(RAW_VALUES) if v in out
    ]
    leaks += [("log", index) for index, value in enumerate(RAW_VALUES) if value in caplog.text]
    assert not leaks, f"raw values found (file, value index): {leaks}"
