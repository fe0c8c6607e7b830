"""export and stats: decrypt with the auditor's key, filter, JSON lines and CSV round trips."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime

import pytest

from audit.auditor_keys import generate, load_private, load_public
from audit.cli import main as audit_main
from audit.export import read_rows, write_records
from audit.record import AuditRecord, principal_input
from gateway.cli import main as gerbang_main
from keys.algorithms import private_key_pem
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.audit.helpers import PSEUDONYMS, make_record

EXPECTED = [make_record(i) for i in range(18)]  # what build_log wrote into the pristine log


def _in_window(record: AuditRecord) -> bool:
    since, until = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 9, 10, 7, tzinfo=UTC)
    return since <= record.timestamp < until


@pytest.fixture
def key_file(tmp_path, auditor):
    path = tmp_path / "auditor.pem"
    path.write_text(private_key_pem(auditor.private, "x25519"))
    path.chmod(0o600)
    return path


def _export(capsys, pristine, key_file, *args) -> tuple[int, str, str]:
    status = audit_main(["export", str(pristine), "--key", str(key_file), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_when_exported_as_jsonl_then_every_record_comes_back_unchanged(capsys, pristine, key_file):
    status, out, err = _export(capsys, pristine, key_file)
    assert status == 0
    assert "exported 18 records" in err
    assert [AuditRecord.from_json(line) for line in out.splitlines()] == EXPECTED


def test_when_exported_as_csv_then_the_rows_read_back_as_the_same_records(
    capsys, pristine, key_file
):
    status, out, _ = _export(capsys, pristine, key_file, "--format", "csv")
    assert status == 0
    assert out.splitlines()[0].startswith("schema_version,event,time,request_id,principal")
    assert list(read_rows(io.StringIO(out))) == EXPECTED


def test_csv_round_trip_keeps_absent_and_empty_values_apart():
    records = [
        AuditRecord(time="2026-01-01T00:00:00Z", request_id="r1"),
        make_record(3),
        make_record(4),
    ]
    buffer = io.StringIO()
    assert write_records(records, buffer, "csv") == 3
    assert list(read_rows(io.StringIO(buffer.getvalue()))) == records


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--service", "chat"], [r for r in EXPECTED if r.route == "chat"]),
        (["--decision", "deny"], [r for r in EXPECTED if not r.decision.allow]),
        (["--decision", "allow"], [r for r in EXPECTED if r.decision.allow]),
        (["--principal", PSEUDONYMS[1]], [r for r in EXPECTED if r.principal == PSEUDONYMS[1]]),
        (
            ["--since", "2026-01-05", "--until", "2026-01-09T10:07:00Z"],
            [r for r in EXPECTED if _in_window(r)],
        ),
        (
            ["--service", "ocr", "--decision", "allow", "--format", "csv"],
            [r for r in EXPECTED if r.route == "ocr" and r.decision.allow],
        ),
    ],
    ids=["service", "deny", "allow", "principal", "time-window", "combined-csv"],
)
def test_when_filters_are_given_then_only_matching_records_are_exported(
    capsys, pristine, key_file, args, expected
):
    status, out, _ = _export(capsys, pristine, key_file, *args)
    assert status == 0
    assert expected, "the case must select something"
    if "csv" in args:
        assert list(read_rows(io.StringIO(out))) == expected
    else:
        assert [AuditRecord.from_json(line) for line in out.splitlines()] == expected


def test_when_the_key_is_not_a_recipient_then_export_says_wrong_key(capsys, pristine, tmp_path):
    other = tmp_path / "other.pem"
    generate(other)
    capsys.readouterr()
    status, out, err = _export(capsys, pristine, other)
    assert status == 2
    assert out == ""
    assert "wrong key" in err


def test_when_the_key_file_is_readable_by_others_then_it_is_refused(capsys, pristine, key_file):
    key_file.chmod(0o644)
    status, _, err = _export(capsys, pristine, key_file)
    assert status == 2
    assert "chmod 600" in err


def test_stats_count_by_service_decision_and_pii_type(capsys, pristine, key_file):
    assert audit_main(["stats", str(pristine), "--key", str(key_file), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    allowed = sum(1 for r in EXPECTED if r.decision.allow)
    assert stats["records"] == 18
    assert stats["by_service"] == {"chat": 6, "ocr": 6, "verify": 6}
    assert stats["by_decision"] == {"allow": allowed, "deny": 18 - allowed}
    assert stats["pii_values"] == {"ID_NIK": 2 * allowed, "HEALTH": allowed}
    assert stats["pii_records"] == {"ID_NIK": allowed, "HEALTH": allowed}
    assert audit_main(["stats", str(pristine), "--key", str(key_file), "--service", "ocr"]) == 0
    text = capsys.readouterr().out
    assert "records: 6" in text
    assert "ID_NIK" in text


def test_keygen_writes_a_private_key_0600_and_a_public_key_beside_it(tmp_path, capsys):
    out = tmp_path / "bpk-auditor.pem"
    assert audit_main(["keygen", "--out", str(out)]) == 0
    assert (out.stat().st_mode & 0o777) == 0o600
    private, public = load_private(out)
    assert load_public(tmp_path / "bpk-auditor.pem.pub") == public
    assert private not in out.read_bytes()  # PEM, not raw bytes
    assert audit_main(["keygen", "--out", str(out)]) == 2  # never overwrites a key
    assert "already exists" in capsys.readouterr().err


def test_a_subjects_history_is_one_export_across_pseudonym_key_versions(
    tmp_path, capsys, monkeypatch, auditor, key_file, signing
):
    """Operator: pseudonyms from the keyring; auditor: one export with them, any key version."""
    from audit.store import SegmentStore

    kek_file = tmp_path / "kek"
    keyring = Keyring.create(tmp_path / "keyring", create_kek_file(kek_file))
    issuer, subject = "https://sso.contoh.go.id", "warga-0042"
    value = principal_input(issuer, subject)
    before = keyring.pseudonym(value)
    keyring.rotate("pseudonym")
    after = keyring.pseudonym(value)
    other = keyring.pseudonym(principal_input(issuer, "warga-0043"))
    assert before != after

    directory = tmp_path / "audit"
    store = SegmentStore(directory, [auditor.public], signing.source())
    store.open()
    principals = [before, other, after, other]
    store.append([make_record(i, principal=p).to_json() for i, p in enumerate(principals)])
    store.close()

    monkeypatch.setattr("sys.stdin", io.StringIO(subject + "\n"))
    args = ["audit", "pseudonym", "--keyring", str(tmp_path / "keyring"), "--kek-file",
            str(kek_file), "--issuer", issuer]  # fmt: skip
    assert gerbang_main(args) == 0
    pseudonyms = capsys.readouterr().out.split()
    assert pseudonyms == [after, before]  # newest key version first
    assert subject not in " ".join(pseudonyms)

    flags = [item for p in pseudonyms for item in ("--principal", p)]
    status, out, _ = _export(capsys, directory, key_file, *flags)
    assert status == 0
    assert [AuditRecord.from_json(line).request_id for line in out.splitlines()] == [
        "req-000000",
        "req-000002",
    ]


def test_gerbang_audit_is_registered_in_the_main_command(pristine, capsys):
    assert gerbang_main(["audit", "verify", str(pristine)]) == 0
    assert "intact" in capsys.readouterr().out


def test_when_out_file_exists_then_export_refuses_to_overwrite(
    capsys, pristine, key_file, tmp_path
):
    target = tmp_path / "out.jsonl"
    target.write_text("keep\n")
    status, _, err = _export(capsys, pristine, key_file, "--out", str(target))
    assert status == 2
    assert target.read_text() == "keep\n"
    assert "cannot create" in err
    os.unlink(target)
    status, _, _ = _export(capsys, pristine, key_file, "--out", str(target))
    assert status == 0
    assert len(target.read_text().splitlines()) == 18


def test_a_directory_of_streams_is_verified_and_exported_as_a_whole(
    tmp_path, capsys, auditor, signing, key_file
):
    from tests.audit.helpers import build_log

    for worker in ("worker-1", "worker-2"):
        build_log(tmp_path / "audit" / worker, auditor, signing, segments=2, per_segment=2)
    assert audit_main(["verify", str(tmp_path / "audit")]) == 0
    out = capsys.readouterr().out
    assert out.count("intact: 2 segments, 4 records") == 2
    status, out, _ = _export(capsys, tmp_path / "audit", key_file)
    assert status == 0
    assert len(out.splitlines()) == 8


def test_when_gateways_logs_are_collected_one_level_deeper_then_they_are_still_found(
    tmp_path, capsys, auditor, signing, key_file
):
    from tests.audit.helpers import build_log

    for gateway in ("gateway-1", "gateway-2"):  # <parent>/<gateway>/<host>-worker-0/
        build_log(tmp_path / "collected" / gateway / "host-worker-0", auditor, signing,
                  segments=1, per_segment=3)  # fmt: skip
    assert audit_main(["verify", str(tmp_path / "collected")]) == 0
    assert capsys.readouterr().out.count(": intact: ") == 2
    status, out, _ = _export(capsys, tmp_path / "collected", key_file)
    assert status == 0
    each = [
        _export(capsys, tmp_path / "collected" / g, key_file)[1] for g in ("gateway-1", "gateway-2")
    ]
    assert all(part.splitlines() for part in each)
    assert sorted(out.splitlines()) == sorted(line for part in each for line in part.splitlines())
