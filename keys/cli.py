"""`gerbang keys init | rotate PURPOSE | list | export-public`: manage the keyring.

Every command takes `--dir DIR` (the keyring directory) and one key-encryption key source:
`--kek-file FILE` (base64 of 32 bytes, mode 0600; `init` creates it when missing),
`--kek-env NAME`, or optionally `--kek-vault ADDRESS --kek-vault-key NAME` (a Vault/OpenBao
transit key; token from VAULT_TOKEN or BAO_TOKEN). Messages name the files; no command ever
prints secret key material (`export-public` prints public keys only). Exit status: 0 done,
2 refused (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from keys.errors import KeysError
from keys.kek import KeyEncryptionKey, create_kek_file, kek_from_env, kek_from_file
from keys.keyring import KEYRING_FILE, PURPOSES, Keyring

EXIT_OK, EXIT_REFUSED = 0, 2


def add_commands(subparsers: Any) -> None:
    """Add `init`, `rotate`, `list` and `export-public` to an argparse subparsers object."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", required=True, type=Path, metavar="DIR", help="keyring directory")
    source = common.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--kek-file", type=Path, metavar="FILE", help="key-encryption key file (base64, 0600)"
    )
    source.add_argument(
        "--kek-env", metavar="NAME", help="environment variable holding the key-encryption key"
    )
    source.add_argument(
        "--kek-vault",
        metavar="ADDRESS",
        help="Vault/OpenBao holding the KEK as a transit key (token from VAULT_TOKEN or BAO_TOKEN)",
    )
    common.add_argument(
        "--kek-vault-key", metavar="NAME", help="transit key name (with --kek-vault)"
    )
    common.add_argument(
        "--kek-vault-mount", default="transit", metavar="PATH", help="transit mount (transit)"
    )
    subparsers.add_parser(
        "init",
        parents=[common],
        help="create a keyring (and the KEK file when it does not exist)",
    )
    rotate = subparsers.add_parser(
        "rotate", parents=[common], help="add a new current version of one purpose's key"
    )
    rotate.add_argument("purpose", choices=PURPOSES, metavar="PURPOSE", help=", ".join(PURPOSES))
    listing = subparsers.add_parser(
        "list", parents=[common], help="key ids, versions and dates (never key material)"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    export = subparsers.add_parser(
        "export-public", parents=[common], help="the signing public keys, for auditors"
    )
    export.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    """Run one `gerbang keys` command; returns the exit status."""
    try:
        if args.keys_command == "init":
            return _init(args)
        keyring = Keyring.open(args.dir, _kek(args))
        if args.keys_command == "rotate":
            key = keyring.rotate(args.purpose)
            print(f"{keyring.path}: {key.key_id} is now the current {key.purpose} key "
                  "(older versions kept for reading)")  # fmt: skip
            if key.purpose == "signing":
                print("give auditors the new public keys: gerbang keys export-public")
            return EXIT_OK
        if args.keys_command == "list":
            return _list(keyring, as_json=args.json)
        return _export(keyring, args.out)
    except KeysError as exc:
        print(f"gerbang keys: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _kek(args: argparse.Namespace) -> KeyEncryptionKey:
    if args.kek_file is not None:
        return kek_from_file(args.kek_file)
    if args.kek_vault is not None:
        from keys.vault import VaultTransitKek

        if not args.kek_vault_key:
            raise KeysError("--kek-vault needs --kek-vault-key NAME (the transit key)")
        return VaultTransitKek.from_env(
            args.kek_vault, args.kek_vault_key, mount=args.kek_vault_mount
        )
    return kek_from_env(args.kek_env)


def _init(args: argparse.Namespace) -> int:
    if (args.dir / KEYRING_FILE).exists():
        raise KeysError(
            f"{args.dir / KEYRING_FILE}: a keyring already exists; refusing to replace it"
        )
    kek: KeyEncryptionKey
    if args.kek_file is not None and not args.kek_file.exists():
        kek = create_kek_file(args.kek_file)
        print(f"{args.kek_file}: wrote a new key-encryption key (mode 0600); keep a copy apart "
              "from the keyring: without it the keyring cannot be opened")  # fmt: skip
    else:
        kek = _kek(args)
    keyring = Keyring.create(args.dir, kek)
    ids = ", ".join(info.key_id for info in keyring.list())
    print(f"{keyring.path}: created keyring with {ids}")
    return EXIT_OK


def _list(keyring: Keyring, *, as_json: bool) -> int:
    infos = keyring.list()
    if as_json:
        for info in infos:
            print(json.dumps({"key_id": info.key_id, "purpose": info.purpose,
                              "version": info.version, "created": info.created,
                              "current": info.current}))  # fmt: skip
        return EXIT_OK
    rows = [("KEY ID", "PURPOSE", "VERSION", "CREATED", "CURRENT")]
    rows += [
        (info.key_id, info.purpose, str(info.version), info.created, "yes" if info.current else "")
        for info in infos
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_OK


def _export(keyring: Keyring, out: Path | None) -> int:
    document = keyring.export_public()
    if out is None:
        sys.stdout.write(document)
        return EXIT_OK
    try:
        out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise KeysError(f"{out}: cannot write: {exc.strerror}") from None
    count = len(keyring.public_keys())
    print(f"{out}: wrote {count} signing public key(s) from {keyring.path}", file=sys.stderr)
    return EXIT_OK
