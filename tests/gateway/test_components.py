"""Start-up refuses a gateway that could not keep its promises: keys exposed, policy broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.components import Components
from gateway.config import config_from_mapping
from gateway.errors import ConfigError
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.gateway.process import ALLOW_ALL_POLICY, route


def config_with_keys(tmp_path: Path, **extra: object) -> dict[str, object]:
    keys, kek = tmp_path / "keys", tmp_path / "kek"
    Keyring.create(keys, create_kek_file(kek))
    return {
        "keys": {"dir": str(keys), "kek": {"file": str(kek)}},
        "policy": {"dir": str(ALLOW_ALL_POLICY)},
        "routes": [route("svc", "/", "http://127.0.0.1:9")],
        **extra,
    }


@pytest.mark.parametrize("exposed", ["keys/keyring.json", "kek"])
def test_when_a_key_file_is_readable_by_others_then_the_gateway_refuses_to_start(
    tmp_path: Path, exposed: str
) -> None:
    config = config_from_mapping(config_with_keys(tmp_path))
    (tmp_path / exposed).chmod(0o644)
    with pytest.raises(ConfigError, match=r"\[keys\].*" + exposed.split("/")[-1]):
        Components.build(config)


def test_when_the_kek_is_wrong_then_the_gateway_refuses_to_start(tmp_path: Path) -> None:
    config = config_from_mapping(config_with_keys(tmp_path))
    (tmp_path / "kek").unlink()
    create_kek_file(tmp_path / "kek")  # another key
    with pytest.raises(ConfigError, match=r"\[keys\]"):
        Components.build(config)


def test_when_the_policy_does_not_compile_then_the_gateway_refuses_to_start(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "gerbang.rego").write_text("package gerbang\n\ndecision := {", encoding="utf-8")
    config = config_from_mapping({**config_with_keys(tmp_path), "policy": {"dir": str(policy)}})
    with pytest.raises(ConfigError, match=r"\[policy\]"):
        Components.build(config)
