"""The `[policy]` keys of signed bundles: verification_key, bundle_url, bundle_cache, polling."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.policy_config import PolicyConfig
from tests.policies.signed_bundles import Signing, signing

__all__ = ["signing"]

URL = "http://127.0.0.1:8282/bundles/gerbang.tar.gz"


def _config(data: dict[str, object], base: Path) -> PolicyConfig:
    return PolicyConfig.model_validate(data, context={"base_dir": base})


def test_defaults_verify_nothing_and_poll_nothing(tmp_path: Path) -> None:
    config = _config({}, tmp_path)
    assert (config.verification_key, config.bundle_url, config.bundle_cache) == (None, None, None)
    assert config.polling_interval == 30.0


def test_relative_paths_are_resolved_against_the_config_file(
    signing: Signing, tmp_path: Path
) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "verify.pem").write_bytes(signing.trusted.public.read_bytes())
    config = _config(
        {"verification_key": "keys/verify.pem", "bundle_url": URL, "bundle_cache": "b.tar.gz",
         "polling_interval": 5},
        tmp_path,
    )  # fmt: skip
    assert config.verification_key == tmp_path / "keys" / "verify.pem"
    assert config.bundle_cache == tmp_path / "b.tar.gz"
    assert (config.bundle_url, config.polling_interval) == (URL, 5.0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bundle_url": URL, "bundle_cache": "b.tar.gz"}, "bundle_url needs verification_key"),
        ({"bundle_url": URL, "verification_key": "KEY"}, "bundle_url needs bundle_cache"),
        ({"bundle_url": URL, "verification_key": "KEY", "bundle_cache": "b.tar.gz",
          "dir": "."}, "dir and bundle_url exclude each other"),
        ({"bundle_cache": "b.tar.gz"}, "bundle_cache is only used with bundle_url"),
        ({"engine": "opa", "verification_key": "KEY"}, 'for engine = "embedded"'),
        ({"verification_key": "absent.pem"}, "verification_key\n.*file not found"),
        ({"bundle_url": "ftp://host/b.tar.gz"}, r"bundle_url\n.*http\(s\)://HOST\[:PORT\]/PATH"),
        ({"bundle_url": "http://host"}, "bundle_url\n.*/PATH of the bundle"),
        ({"bundle_url": "http://u:p@host/b.tar.gz"}, "must not carry credentials"),
        ({"bundle_cache": "absent/b.tar.gz"}, "bundle_cache\n.*no such folder"),
        ({"bundle_cache": "."}, "bundle_cache\n.*is a folder"),
        ({"polling_interval": 0}, "polling_interval"),
        ({"polling_interval": 7200}, "polling_interval"),
    ],
)  # fmt: skip
def test_inconsistent_bundle_settings_are_refused_by_name(
    data: dict[str, object], message: str, signing: Signing, tmp_path: Path
) -> None:
    if data.get("verification_key") == "KEY":
        data = {**data, "verification_key": str(signing.trusted.public)}
    with pytest.raises(ValidationError, match=message):
        _config(data, tmp_path)
