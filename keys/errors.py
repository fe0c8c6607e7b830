"""Errors of the keys package; each names the file or variable at fault, never key material.

keys/ stands alone (nothing here imports the gateway); each error carries a stable `code` like
`gateway.errors.GerbangError`, so the gateway can report it unchanged when it refuses to start.
"""

from __future__ import annotations

from typing import ClassVar


class KeysError(Exception):
    """Base of the keys package's errors: `code` is stable; the message never carries material."""

    code: ClassVar[str] = "keys_error"


class KeyFilePermissions(KeysError):
    """A key file (keyring or KEK) can be read or written by group or others."""

    code = "key_file_permissions"


class KekError(KeysError):
    """The key-encryption key is missing, malformed, or does not open this keyring."""

    code = "kek_invalid"


class KeyringError(KeysError):
    """The keyring is missing, malformed or changed, or has no such purpose or version."""

    code = "keyring_invalid"
