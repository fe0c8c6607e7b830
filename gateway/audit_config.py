"""The `[audit]` configuration: where the access log lives and how it is written.

Example (relative paths are resolved against the config file's directory):

    [audit]
    dir = "/var/lib/gerbang/audit"
    auditor_public_keys = ["keys/auditor-bpk.pem.pub"]
    commit_interval = 0.0         # least seconds between fsync batches (0: no spacing)
    segment_max_bytes = 67108864  # rotate a segment at this size ...
    segment_max_age = 3600        # ... or at this age (seconds)
    checkpoint_interval = 60      # sign a checkpoint head at least this often while writing
    retention_days = 365          # crypto-shred closed segments older than this (omit: keep)
    on_failure = "refuse"         # or "continue": serve without the record (not recommended)
    truncate_client_address = true
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from audit.auditor_keys import AuditorKeyError, load_public
from audit.store import SignerSource, StoreSettings
from audit.writer import DEFAULT_COMMIT_INTERVAL, AuditWriter
from gateway.config_base import Seconds, _Model, _resolve_path

SECONDS_PER_DAY = 86_400


class AuditConfig(_Model):
    """Settings of the encrypted access log (docs/audit.md)."""

    dir: Path
    auditor_public_keys: tuple[Path, ...]
    commit_interval: Annotated[float, Field(ge=0, le=1.0)] = DEFAULT_COMMIT_INTERVAL
    segment_max_bytes: Annotated[int, Field(ge=4096, le=1 << 40)] = 64 * 1024 * 1024
    segment_max_age: Seconds = 3600.0
    checkpoint_interval: Seconds = 60.0
    retention_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    on_failure: Literal["refuse", "continue"] = "refuse"
    truncate_client_address: bool = False

    _resolve_dir = field_validator("dir", mode="before")(_resolve_path)

    @field_validator("auditor_public_keys", mode="before")
    @classmethod
    def _key_paths(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            raise ValueError('must be an array of file names, e.g. ["auditor.pem.pub"]')
        if isinstance(value, list | tuple):
            return tuple(_resolve_path(item, info) for item in value)
        return value

    @field_validator("auditor_public_keys")
    @classmethod
    def _readable_keys(cls, paths: tuple[Path, ...]) -> tuple[Path, ...]:
        if not paths:
            raise ValueError("at least one auditor public key file is required")
        for path in paths:
            try:
                load_public(path)
            except AuditorKeyError as exc:
                raise ValueError(str(exc)) from None
        return paths

    def auditor_public_keys_raw(self) -> tuple[bytes, ...]:
        """The raw X25519 public keys of the configured auditors."""
        return tuple(load_public(path) for path in self.auditor_public_keys)

    def store_settings(self) -> StoreSettings:
        """The segment limits, checkpoint interval and retention for the writer."""
        return StoreSettings(
            segment_max_bytes=self.segment_max_bytes,
            segment_max_age=self.segment_max_age,
            checkpoint_interval=self.checkpoint_interval,
            retention_seconds=(
                None if self.retention_days is None else self.retention_days * SECONDS_PER_DAY
            ),
        )


def open_audit_writer(
    config: AuditConfig, signer_source: SignerSource, stream: str | None = None
) -> AuditWriter:
    """A writer for `config` (not started); reads the auditor public key files now.

    `stream` names this process's own subdirectory (e.g. "worker-2") when several processes
    write the same configured directory.
    """
    return AuditWriter(
        config.dir / stream if stream else config.dir,
        config.auditor_public_keys_raw(),
        signer_source,
        commit_interval=config.commit_interval,
        settings=config.store_settings(),
        on_failure=config.on_failure,
    )
