"""`gerbang audit verify | export | stats | keygen | pseudonym`: the auditors' tools.

- verify DIR [--public-key FILE]... [--anchor INDEX:HEX] [--json]: signatures, chains and
  sequence, no secret needed. Exit 0 intact, 1 damaged (first problem first), 2 usage error.
- export DIR --key FILE [filters] [--format jsonl|csv] [--out FILE]: decrypt and filter.
- stats DIR --key FILE [filters] [--json]: counts by service, decision and PII type.
- keygen --out FILE: a new auditor key pair (FILE 0600, FILE.pub for the gateway).
- pseudonym --keyring DIR (--kek-file FILE | --kek-env NAME) --issuer ISS: the pseudonyms (every
  key version) of the subject read from standard input, for `export --principal`.
Exit status of export and stats: 0, or 1 when some records could not be read (listed on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from audit.record import AuditRecord, parse_time, principal_input

EXIT_OK, EXIT_DAMAGED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A usage problem: one line on stderr, exit status 2."""


def add_commands(subparsers: Any) -> None:
    """Add the audit subcommands to an argparse subparsers object."""
    verify = subparsers.add_parser("verify", help="check signatures and chains (no secret needed)")
    verify.add_argument("dir", type=Path, metavar="DIR")
    verify.add_argument(
        "--public-key",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="signing public keys (`gerbang keys export-public`); repeatable",
    )
    verify.add_argument("--anchor", metavar="INDEX:HEX", help="a head printed by an earlier verify")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")

    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("dir", type=Path, metavar="DIR")
    filters.add_argument("--key", required=True, type=Path, metavar="FILE", help="auditor key")
    filters.add_argument("--since", metavar="TIME", help="RFC 3339 time or date, inclusive")
    filters.add_argument("--until", metavar="TIME", help="RFC 3339 time or date, exclusive")
    filters.add_argument("--service", metavar="ROUTE", help="route name")
    filters.add_argument(
        "--principal",
        action="append",
        metavar="PSEUDONYM",
        help="principal pseudonym (p1:...); repeatable: one per key version",
    )
    filters.add_argument("--decision", choices=("allow", "deny"))
    export = subparsers.add_parser("export", parents=[filters], help="decrypt and filter records")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    stats = subparsers.add_parser(
        "stats", parents=[filters], help="counts by service, decision and PII type"
    )
    stats.add_argument("--json", action="store_true", help="print the counts as JSON")

    keygen = subparsers.add_parser("keygen", help="create an auditor key pair")
    keygen.add_argument("--out", required=True, type=Path, metavar="FILE")

    pseudonym = subparsers.add_parser(
        "pseudonym", help="a subject's pseudonyms (subject read from stdin), for --principal"
    )
    pseudonym.add_argument("--keyring", required=True, type=Path, metavar="DIR")
    source = pseudonym.add_mutually_exclusive_group(required=True)
    source.add_argument("--kek-file", type=Path, metavar="FILE")
    source.add_argument("--kek-env", metavar="NAME")
    pseudonym.add_argument("--issuer", required=True, help="the token issuer (iss)")


def run(args: argparse.Namespace) -> int:
    """Run one `gerbang audit` command; returns the exit status."""
    try:
        command = args.audit_command
        if command == "verify":
            return _verify(args)
        if command == "keygen":
            return _keygen(args.out)
        if command == "pseudonym":
            return _pseudonym(args)
        return _read(args)
    except CliError as exc:
        print(f"gerbang audit: {exc}", file=sys.stderr)
        return EXIT_USAGE


# -- verify ---------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace) -> int:
    from audit.verify import Anchor, stream_directories, verify_stream

    directory = _existing_dir(args.dir)
    trusted = _trusted_keys(args.public_key) if args.public_key else None
    try:
        anchor = Anchor.parse(args.anchor) if args.anchor else None
    except ValueError as exc:
        raise CliError(f"--anchor: {exc}") from None
    streams = stream_directories(directory)
    if not streams:
        raise CliError(f"{directory}: no audit log here (no heads.log or segment files)")
    if anchor is not None and len(streams) > 1:
        raise CliError("--anchor applies to one stream: give the stream's directory")
    reports = [verify_stream(stream, trusted, anchor) for stream in streams]
    if args.json:
        print(json.dumps([_report_json(report) for report in reports], indent=2))
    else:
        for report in reports:
            _print_report(report, trusted is not None)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_DAMAGED


def _trusted_keys(files: Sequence[Path]) -> dict[str, bytes]:
    from keys.errors import KeysError
    from keys.publickeys import read_public_keys

    trusted: dict[str, bytes] = {}
    for path in files:
        try:
            keys = read_public_keys(path.read_bytes(), str(path))
        except OSError as exc:
            raise CliError(f"--public-key {path}: cannot read: {exc.strerror}") from None
        except KeysError as exc:
            raise CliError(f"--public-key {exc}") from None
        trusted.update({f"{key_id}@{path}": public for key_id, public in keys.items()})
    return trusted


def _print_report(report: Any, checked_keys: bool) -> None:
    if report.ok:
        shredded = f" ({len(report.shredded)} shredded)" if report.shredded else ""
        print(
            f"{report.directory}: intact: {report.segments + len(report.shredded)} segments"
            f"{shredded}, {report.records} records, {report.heads} signed heads; "
            f"signing keys: {', '.join(sorted(report.key_ids)) or '-'}"
        )
        if report.latest_head is not None:
            index, digest = report.latest_head
            print(f"  latest head: {index}:{digest.hex()}  (keep it; later: --anchor)")
        if not checked_keys and report.heads:
            print(
                "  note: signatures were checked against the public keys the heads name; pass "
                "--public-key (from `gerbang keys export-public`) to check they are the "
                "gateway's keys"
            )
    else:
        print(f"{report.directory}: DAMAGED")
        for problem in report.problems:
            print(f"  {problem}")
    for note in report.notes:
        print(f"  note: {note}")


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "directory": str(report.directory),
        "ok": report.ok,
        "segments": report.segments,
        "shredded": report.shredded,
        "records": report.records,
        "unsigned_records": report.unsigned_records,
        "heads": report.heads,
        "key_ids": sorted(report.key_ids),
        "latest_head": (
            f"{report.latest_head[0]}:{report.latest_head[1].hex()}" if report.latest_head else None
        ),
        "problems": [
            {
                "kind": str(problem.kind),
                "file": problem.file,
                "segment": problem.segment,
                "record": problem.record,
                "head": problem.head,
                "detail": problem.detail,
            }
            for problem in report.problems
        ],
        "notes": report.notes,
    }


# -- export and stats -----------------------------------------------------------------------------


def _read(args: argparse.Namespace) -> int:
    from audit.auditor_keys import AuditorKeyError, load_private
    from audit.export import RecordFilter, write_records
    from audit.reader import LogReader
    from audit.stats import collect

    directory = _existing_dir(args.dir)
    try:
        private, public = load_private(args.key)
    except AuditorKeyError as exc:
        raise CliError(f"--key {exc}") from None
    selected = RecordFilter(
        since=_time(args.since, "--since"),
        until=_time(args.until, "--until"),
        service=args.service,
        principals=frozenset(args.principal) if args.principal else None,
        decision=args.decision,
    )
    reader = LogReader(private, public)

    def records() -> Iterator[AuditRecord]:
        for item in reader.records(directory):
            if selected.matches(item.record):
                yield item.record

    if args.audit_command == "export":
        with _output(args.out) as out:
            count = write_records(records(), out, args.format)
        print(f"gerbang audit: exported {count} records", file=sys.stderr)
    else:
        stats = collect(records())
        print(json.dumps(stats.as_dict(), indent=2) if args.json else "\n".join(stats.lines()))
    for problem in reader.problems:
        print(f"gerbang audit: {problem}", file=sys.stderr)
    if reader.wrong_key_segments and not reader.segments_read:
        raise CliError(f"--key {args.key}: no segment is sealed to this key (wrong key)")
    return EXIT_DAMAGED if reader.problems else EXIT_OK


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        handle = open(path, "x", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CliError(f"--out {path}: cannot create: {exc.strerror}") from None
    with handle:
        yield handle


def _time(value: str | None, flag: str) -> Any:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise CliError(f"{flag} {value!r}: not an RFC 3339 time or a date (YYYY-MM-DD)") from None


def _existing_dir(path: Path) -> Path:
    if not path.is_dir():
        raise CliError(f"{path}: not a directory")
    return path


# -- keys -----------------------------------------------------------------------------------------


def _keygen(out: Path) -> int:
    from audit.auditor_keys import AuditorKeyError, generate

    try:
        public_file = generate(out)
    except AuditorKeyError as exc:
        raise CliError(str(exc)) from None
    print(f"{out}: auditor private key (mode 0600; keep it off the gateway host)")
    print(f"{public_file}: auditor public key (give it to the gateway: audit.auditor_public_keys)")
    return EXIT_OK


def _pseudonym(args: argparse.Namespace) -> int:
    from keys.errors import KeysError
    from keys.kek import kek_from_env, kek_from_file
    from keys.keyring import Keyring

    subject = sys.stdin.readline().rstrip("\r\n")
    if not subject:
        raise CliError("pseudonym: give the subject (sub claim) on standard input")
    try:
        kek = kek_from_file(args.kek_file) if args.kek_file else kek_from_env(args.kek_env)
        keyring = Keyring.open(args.keyring, kek)
        for value in keyring.pseudonyms(principal_input(args.issuer, subject)):
            print(value)
    except KeysError as exc:
        raise CliError(str(exc)) from None
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m audit.cli verify|export|stats|keygen|pseudonym ...`."""
    parser = argparse.ArgumentParser(prog="gerbang audit")
    add_commands(parser.add_subparsers(dest="audit_command", required=True, metavar="COMMAND"))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
