"""The [audit] config model: paths resolved, auditor keys checked at load, limits enforced."""

from __future__ import annotations

import pydantic
import pytest

from audit.auditor_keys import generate
from gateway.audit_config import AuditConfig, open_audit_writer


def _load(data, base_dir):
    return AuditConfig.model_validate(data, context={"base_dir": base_dir}, strict=True)


def test_relative_paths_resolve_against_the_config_directory(tmp_path):
    generate(tmp_path / "auditor.pem")
    config = _load({"dir": "audit", "auditor_public_keys": ["auditor.pem.pub"],
                    "retention_days": 30}, tmp_path)  # fmt: skip
    assert config.dir == tmp_path / "audit"
    assert len(config.auditor_public_keys_raw()[0]) == 32
    settings = config.store_settings()
    assert settings.retention_seconds == 30 * 86400
    assert config.commit_interval <= 0.05
    assert config.on_failure == "refuse"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"auditor_public_keys": []}, "at least one auditor public key"),
        ({"auditor_public_keys": ["missing.pub"]}, "missing.pub: cannot read"),
        ({"auditor_public_keys": ["auditor.pem"]}, "not an auditor public key"),
        ({"auditor_public_keys": "auditor.pem.pub"}, "array of file names"),
        ({"on_failure": "ignore"}, "refuse"),
        ({"retention_days": 0}, "greater than or equal to 1"),
        ({"commit_interval": 5.0}, "less than or equal to 1"),
    ],
)
def test_bad_settings_are_refused_with_a_message_naming_the_problem(tmp_path, data, message):
    generate(tmp_path / "auditor.pem")
    base = {"dir": "audit", "auditor_public_keys": ["auditor.pem.pub"]}
    with pytest.raises(pydantic.ValidationError, match=message):
        _load({**base, **data}, tmp_path)


async def test_a_writer_built_from_config_writes_its_own_stream(tmp_path, signing):
    from audit.verify import verify_stream
    from tests.audit.helpers import make_record

    generate(tmp_path / "auditor.pem")
    config = _load({"dir": "audit", "auditor_public_keys": ["auditor.pem.pub"]}, tmp_path)
    async with open_audit_writer(config, signing.source(), stream="worker-1") as writer:
        await writer.append(make_record(0))
    assert verify_stream(tmp_path / "audit" / "worker-1").records == 1
