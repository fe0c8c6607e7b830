"""`gerbang pii scan` and `gerbang pii mask`: audit and mask JSON-lines text corpora.

Input: one JSON object per line, `{"id": ..., "text": "..."}`, from the files given (in order)
or from standard input. Output, one line per good input line, in input order:
- scan: `{"id": ..., "entities": [{"type", "start", "end", "score"}]}` (offsets in Python
  string indices into `text`);
- mask: `{"id": ..., "text": "<masked text>"}`.
A bad line is reported on standard error as `FILE:LINE: problem` (never with its content) and
skipped; the exit status is then 1. A file that cannot be read is reported and ends with 2.
Keys for `hash` and `encrypt` come from environment variables, never from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from pii.entities import ENTITY_TYPES, LANGUAGES

if TYPE_CHECKING:  # the engine and anonymizer import Presidio: loaded only when a command runs
    from pii.anonymizer import Anonymizer, MaskingPlan
    from pii.engine import PiiEngine

OPERATOR_NAMES = ("redact", "mask", "hash", "placeholder", "encrypt", "keep")

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A usage problem: reported as one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class Record:
    """One good input line."""

    id: Any
    text: str


def add_commands(subparsers: Any) -> None:
    """Add `scan` and `mask` to an argparse subparsers object."""
    scan = subparsers.add_parser("scan", help="report personal data in JSON-lines text")
    mask = subparsers.add_parser("mask", help="mask personal data in JSON-lines text")
    for command in (scan, mask):
        command.add_argument("files", nargs="*", metavar="FILE", help="JSON-lines input (stdin)")
        command.add_argument("--language", choices=LANGUAGES, default="id")
    mask.add_argument(
        "--operator",
        action="append",
        default=[],
        metavar="TYPE=OP",
        help=f"operator per entity type or '*' ({', '.join(OPERATOR_NAMES)}); "
        "default '*=placeholder'",
    )
    mask.add_argument("--hash-key-env", metavar="VAR", help="env var with the HMAC key (hex)")
    mask.add_argument(
        "--encryption-key-env", metavar="VAR", help="env var with the AES-256 key (64 hex chars)"
    )


def run(args: argparse.Namespace) -> int:
    """Run `scan` or `mask`; returns the exit status."""
    from pii.engine import PiiEngine

    try:
        engine = PiiEngine()
        if args.pii_command == "scan":
            return _process(args, lambda record: _scan_line(engine, record, args.language))
        anonymizer, plan = _anonymizer_and_plan(args)
        return _process(
            args, lambda record: _mask_line(engine, anonymizer, plan, record, args.language)
        )
    except CliError as exc:
        print(f"gerbang pii: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _scan_line(engine: PiiEngine, record: Record, language: str) -> dict[str, Any]:
    findings = engine.analyze(record.text, language)
    return {
        "id": record.id,
        "entities": [
            {"type": f.type, "start": f.start, "end": f.end, "score": f.score} for f in findings
        ],
    }


def _mask_line(
    engine: PiiEngine, anonymizer: Anonymizer, plan: MaskingPlan, record: Record, language: str
) -> dict[str, Any]:
    findings = engine.analyze(record.text, language)
    return {"id": record.id, "text": anonymizer.mask(record.text, findings, plan).text}


def _anonymizer_and_plan(args: argparse.Namespace) -> tuple[Anonymizer, MaskingPlan]:
    from pii.anonymizer import DEFAULT, Anonymizer, MaskingPlanError, OperatorSpec
    from pii.operators.encrypt import Sealer

    plan: dict[str, OperatorSpec] = {DEFAULT: OperatorSpec("placeholder")}
    for item in args.operator:
        entity_type, sep, name = item.partition("=")
        if not sep or (entity_type != DEFAULT and entity_type not in ENTITY_TYPES):
            raise CliError(f"--operator {item!r}: expected TYPE=OP with TYPE one of the entity "
                           "types or '*'")  # fmt: skip
        plan[entity_type] = OperatorSpec(name)
    hash_key = _key_from_env(args.hash_key_env, "--hash-key-env", min_bytes=16)
    encryption_key = _key_from_env(args.encryption_key_env, "--encryption-key-env", exact=32)
    sealer: Sealer | None = None
    if encryption_key is not None:
        from keys.aead import AeadSealer  # the one place a pii command uses keys/

        sealer = AeadSealer(encryption_key)
    anonymizer = Anonymizer(hash_key=hash_key, sealer=sealer)
    try:
        anonymizer.check_plan(plan)
    except MaskingPlanError as exc:
        raise CliError(f"--operator {exc}") from None
    return anonymizer, plan


def _key_from_env(
    var: str | None, flag: str, *, min_bytes: int = 0, exact: int | None = None
) -> bytes | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if value is None:
        raise CliError(f"{flag}: environment variable {var} is not set")
    try:
        key = bytes.fromhex(value.strip())
    except ValueError:
        raise CliError(f"{flag}: {var} must hold a hex-encoded key") from None
    if (exact is not None and len(key) != exact) or len(key) < min_bytes:
        wanted = f"exactly {exact}" if exact is not None else f"at least {min_bytes}"
        raise CliError(f"{flag}: {var} must hold {wanted} bytes")
    return key


def _process(args: argparse.Namespace, handle: Any) -> int:
    skipped = 0
    out = sys.stdout
    for source, stream in _inputs(args.files):
        for number, line in enumerate(stream, start=1):
            record, problem = _parse(line)
            if record is None:
                skipped += 1
                print(f"gerbang pii: {source}:{number}: {problem}; line skipped", file=sys.stderr)
                continue
            out.write(json.dumps(handle(record), ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_SKIPPED if skipped else EXIT_OK


def _inputs(files: Sequence[str]) -> Iterator[tuple[str, IO[str]]]:
    if not files:
        yield "<stdin>", sys.stdin
        return
    for name in files:
        try:
            stream = open(name, encoding="utf-8")  # noqa: SIM115 - closed right after use
        except OSError as exc:
            raise CliError(f"{name}: cannot read: {exc.strerror}") from None
        with stream:
            yield name, stream


def _parse(line: str) -> tuple[Record | None, str]:
    if not line.strip():
        return None, "empty line"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    if "id" not in data:
        return None, 'no "id"'
    text = data.get("text")
    if not isinstance(text, str):
        return None, '"text" missing or not a string'
    return Record(data["id"], text), ""


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m pii scan|mask ...`."""
    parser = argparse.ArgumentParser(prog="pii")
    add_commands(parser.add_subparsers(dest="pii_command", required=True, metavar="COMMAND"))
    return run(parser.parse_args(argv))
