"""The keyring: versioned keys with one purpose each, sealed at rest under the key-encryption key.

A keyring is a directory holding `keyring.json` (mode 0600, refused otherwise). Purposes:
- "signing": Ed25519 private keys that sign audit segment heads;
- "pseudonym": HMAC-SHA256 keys for pseudonymous subject ids and PII hashing;
- "token": AES-256-GCM keys for reversible tokens (the placeholder vault).

Each key version's material is generated independently and sealed with AES-256-GCM under the KEK,
with associated data binding the keyring id, purpose and version, so an entry moved to another
purpose, version or keyring does not open. Rotation adds a version and keeps the old ones for
reading; the newest version of a purpose is its current key. A running gateway sees a rotation
when it opens the keyring again (restart).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from keys.algorithms import (
    KEY_BYTES,
    AeadSealer,
    CryptoError,
    Ed25519Signer,
    generate_ed25519,
    hmac_sha256,
    random_key,
)
from keys.errors import KekError, KeyringError, KeysError
from keys.files import SECRET_FILE_MODE, read_secret_file, write_secret_file
from keys.kek import KeyEncryptionKey
from keys.publickeys import public_keys_document

PURPOSES: Final = ("signing", "pseudonym", "token")
KEYRING_FILE: Final = "keyring.json"
LOCK_FILE: Final = ".keyring.lock"
FORMAT: Final = "gerbang-keyring"
FORMAT_VERSION: Final = 1
_KEK_CHECK: Final = b"gerbang keyring: key-encryption key check"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class KeyVersion:
    """One version of one purpose's key. `material` is secret: never print, log or store it."""

    purpose: str
    version: int
    created: str
    material: bytes = field(repr=False, compare=False)

    @property
    def key_id(self) -> str:
        """The public name of this key, for example "signing-3"."""
        return f"{self.purpose}-{self.version}"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What `Keyring.list` shows about a key version: never its material."""

    purpose: str
    version: int
    created: str
    current: bool

    @property
    def key_id(self) -> str:
        """The public name of this key, for example "signing-3"."""
        return f"{self.purpose}-{self.version}"


class Keyring:
    """Versioned keys for signing, pseudonyms and tokens; open with `create` or `open`."""

    def __init__(
        self,
        directory: Path,
        kek: KeyEncryptionKey,
        keyring_id: str,
        kek_check: str,
        versions: Mapping[str, list[KeyVersion]],
    ) -> None:
        self._directory = directory
        self._kek = kek
        self._id = keyring_id
        self._kek_check = kek_check
        self._versions = {purpose: list(versions[purpose]) for purpose in PURPOSES}

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, kek: KeyEncryptionKey) -> Keyring:
        """Create a keyring with version 1 of every purpose; refuses if one exists there."""
        directory = Path(directory)
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise KeyringError(f"{directory}: cannot create directory: {exc.strerror}") from None
        keyring_id = str(uuid.uuid4())
        kek_check = _b64(kek.wrap(_KEK_CHECK, _check_ad(keyring_id)))
        versions = {purpose: [_new_version(purpose, 1)] for purpose in PURPOSES}
        keyring = cls(directory, kek, keyring_id, kek_check, versions)
        with _locked(directory):
            if keyring.path.exists():
                raise KeyringError(
                    f"{keyring.path}: a keyring already exists; refusing to replace it"
                )
            keyring._save(overwrite=False)
        return keyring

    @classmethod
    def open(cls, directory: Path, kek: KeyEncryptionKey) -> Keyring:
        """Open an existing keyring; KeyFilePermissions, KekError or KeyringError name the file."""
        directory = Path(directory)
        path = directory / KEYRING_FILE
        try:
            data = read_secret_file(path)
        except KeysError as exc:
            if type(exc) is KeysError:
                raise KeyringError(
                    f"{exc} (create one with: gerbang keys init --dir {directory})"
                ) from None
            raise
        return cls._parse(directory, kek, data)

    @property
    def path(self) -> Path:
        """The keyring file."""
        return self._directory / KEYRING_FILE

    @property
    def keyring_id(self) -> str:
        """A random id naming this keyring (bound into every sealed entry)."""
        return self._id

    # -- rotation and listing --------------------------------------------------------------------

    def rotate(self, purpose: str) -> KeyVersion:
        """Add a new current version of `purpose`; older versions stay readable."""
        _check_purpose(purpose)
        with _locked(self._directory):
            on_disk = Keyring.open(self._directory, self._kek)  # another process may have rotated
            if on_disk.keyring_id != self._id:
                raise KeyringError(f"{self.path}: was replaced by another keyring; open it again")
            self._versions = on_disk._versions
            version = _new_version(purpose, self._versions[purpose][-1].version + 1)
            self._versions[purpose].append(version)
            self._save(overwrite=True)
        return version

    def list(self) -> builtins.list[KeyInfo]:
        """Every key version by purpose and version: purpose, version, created, current."""
        return [
            KeyInfo(key.purpose, key.version, key.created, key is self._versions[purpose][-1])
            for purpose in PURPOSES
            for key in self._versions[purpose]
        ]

    # -- access by purpose -----------------------------------------------------------------------

    def current(self, purpose: str) -> KeyVersion:
        """The current (newest) version of `purpose`."""
        _check_purpose(purpose)
        return self._versions[purpose][-1]

    def get(self, purpose: str, version: int) -> KeyVersion:
        """A given version of `purpose`; KeyringError if the keyring has no such version."""
        _check_purpose(purpose)
        for key in self._versions[purpose]:
            if key.version == version:
                return key
        raise KeyringError(f"{self.path}: no key {purpose}-{version}")

    def signer(self) -> tuple[str, Ed25519Signer]:
        """The current signing key's id and an Ed25519 signer for it."""
        key = self.current("signing")
        return key.key_id, Ed25519Signer(key.material)

    def public_keys(self) -> dict[str, bytes]:
        """Raw Ed25519 public keys of every signing version, by key id."""
        return {
            key.key_id: Ed25519Signer(key.material).public_key for key in self._versions["signing"]
        }

    def export_public(self) -> str:
        """The JSON document auditors keep: every signing version's public key (no secrets)."""
        current = self.current("signing").key_id
        return public_keys_document(
            keyring_id=self._id,
            keys=[
                (key.key_id, key.created, key.key_id == current, public)
                for key, public in zip(
                    self._versions["signing"], self.public_keys().values(), strict=True
                )
            ],
        )

    def pseudonym(self, value: str, version: int | None = None) -> str:
        """Keyed hash of `value` as "p<version>:<hex HMAC-SHA256>", with the current key default.

        Stable for one key version; another version gives another pseudonym.
        """
        key = self.current("pseudonym") if version is None else self.get("pseudonym", version)
        return f"p{key.version}:{hmac_sha256(key.material, value.encode('utf-8')).hex()}"

    def pseudonyms(self, value: str) -> builtins.list[str]:
        """`value`'s pseudonym under every pseudonym version, newest first (to search old logs)."""
        return [self.pseudonym(value, key.version) for key in reversed(self._versions["pseudonym"])]

    def token_sealer(self, version: int | None = None) -> AeadSealer:
        """An AES-256-GCM sealer with the current (or the given) token key."""
        key = self.current("token") if version is None else self.get("token", version)
        return AeadSealer(key.material)

    def __repr__(self) -> str:
        return f"Keyring({self.path})"

    # -- the file --------------------------------------------------------------------------------

    def _save(self, *, overwrite: bool) -> None:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "keyring_id": self._id,
            "kek_check": self._kek_check,
            "keys": [
                {
                    "purpose": key.purpose,
                    "version": key.version,
                    "created": key.created,
                    "sealed": _b64(self._kek.wrap(key.material, _entry_ad(self._id, key))),
                }
                for purpose in PURPOSES
                for key in self._versions[purpose]
            ],
        }
        text = json.dumps(document, indent=2) + "\n"
        write_secret_file(self.path, text.encode("utf-8"), overwrite=overwrite)

    @classmethod
    def _parse(cls, directory: Path, kek: KeyEncryptionKey, data: bytes) -> Keyring:
        path = directory / KEYRING_FILE
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyringError(f"{path}: not a JSON keyring ({exc.__class__.__name__})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise KeyringError(f'{path}: not a Gerbang keyring (no "format": "{FORMAT}")')
        if document.get("format_version") != FORMAT_VERSION:
            raise KeyringError(f"{path}: unsupported format_version (expected {FORMAT_VERSION})")
        keyring_id = _field(document, "keyring_id", str, path)
        kek_check = _field(document, "kek_check", str, path)
        try:
            check = kek.unwrap(_unb64(kek_check, path, "kek_check"), _check_ad(keyring_id))
        except CryptoError:
            check = b""
        if check != _KEK_CHECK:
            raise KekError(
                f"{path}: the key-encryption key from {kek.source} does not open this keyring "
                "(wrong key-encryption key, or the file was changed)"
            )
        versions: dict[str, list[KeyVersion]] = {purpose: [] for purpose in PURPOSES}
        for index, entry in enumerate(_field(document, "keys", builtins.list, path)):
            key = _parse_entry(entry, f"keys[{index}]", path, kek, keyring_id)
            expected = len(versions[key.purpose]) + 1
            if key.version != expected:
                raise KeyringError(
                    f"{path}: keys[{index}]: {key.key_id} out of order (expected version "
                    f"{expected})"
                )
            versions[key.purpose].append(key)
        for purpose, keys in versions.items():
            if not keys:
                raise KeyringError(f"{path}: no {purpose} key")
        return cls(directory, kek, keyring_id, kek_check, versions)


def _parse_entry(
    entry: Any, where: str, path: Path, kek: KeyEncryptionKey, keyring_id: str
) -> KeyVersion:
    if not isinstance(entry, dict):
        raise KeyringError(f"{path}: {where}: expected an object")
    purpose = _field(entry, "purpose", str, path, where)
    if purpose not in PURPOSES:
        raise KeyringError(f"{path}: {where}.purpose: unknown purpose {purpose!r}")
    version = _field(entry, "version", int, path, where)
    created = _field(entry, "created", str, path, where)
    sealed = _unb64(_field(entry, "sealed", str, path, where), path, f"{where}.sealed")
    shell = KeyVersion(purpose, version, created, b"")
    try:
        material = kek.unwrap(sealed, _entry_ad(keyring_id, shell))
    except CryptoError:
        raise KeyringError(
            f"{path}: {where}: key {shell.key_id} does not open (changed, or moved from another "
            "purpose, version or keyring)"
        ) from None
    if len(material) != KEY_BYTES:
        raise KeyringError(f"{path}: {where}: key {shell.key_id} has the wrong length")
    return KeyVersion(purpose, version, created, material)


def _new_version(purpose: str, version: int) -> KeyVersion:
    material = generate_ed25519()[0] if purpose == "signing" else random_key()
    created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return KeyVersion(purpose, version, created, material)


def _entry_ad(keyring_id: str, key: KeyVersion) -> bytes:
    return f"{FORMAT}/{FORMAT_VERSION}\nkeyring={keyring_id}\nkey={key.key_id}".encode()


def _check_ad(keyring_id: str) -> bytes:
    return f"{FORMAT}/{FORMAT_VERSION}\nkeyring={keyring_id}\nkek-check".encode()


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise KeyringError(f"unknown key purpose {purpose!r} (one of: {', '.join(PURPOSES)})")


def _field(
    document: Mapping[str, Any], name: str, kind: type[_T], path: Path, where: str = ""
) -> _T:
    value = document.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        label = f"{where}.{name}" if where else name
        raise KeyringError(f"{path}: {label}: missing or not a {kind.__name__}")
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, path: Path, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{path}: {where}: not base64") from None


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialise writers of one keyring (init and rotate) across processes."""
    try:
        fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, SECRET_FILE_MODE)
    except OSError as exc:
        raise KeyringError(f"{directory / LOCK_FILE}: cannot open: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
