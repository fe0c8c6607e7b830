"""docker/gerbang.toml: a valid Gerbang configuration for the files compose mounts, wired to the
other services as compose.yaml runs them; and the two Gerbang commands compose runs besides
`serve` (the keyring's one-shot, LARA alone) do what the stack relies on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from yarl import URL

from gateway.config import config_from_mapping
from keys.kek import load_kek
from keys.keyring import Keyring
from tests.docker.stack import DOCKER, ContainerPaths, free_port, running, services, wait_for_http

CONFIG = DOCKER / "gerbang.toml"


def _gerbang_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def _run_keys_init(prepared, keys_dir: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    """The `keys-init` service's command, with its container paths mapped here."""
    service = services()["keys-init"]
    paths = ContainerPaths.of_service(
        "keys-init", tmp, generated=prepared.generated, secrets=prepared.env,
        named_volumes={"keys": keys_dir},
    )  # fmt: skip
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    script = paths.rewrite(service["command"][0])
    return subprocess.run(
        ["/bin/sh", "-c", script], capture_output=True, text=True, env=_gerbang_env(), timeout=60
    )


@pytest.fixture
def gateway_files(prepared, tmp_path):
    """gateway-1's container paths mapped here, with the keyring keys-init makes."""
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir(mode=0o700)
    done = _run_keys_init(prepared, keys_dir, tmp_path / "keys-init")
    assert done.returncode == 0, done.stderr
    return ContainerPaths.of_service(
        "gateway-1",
        tmp_path / "gateway-1",
        generated=prepared.generated,
        secrets=prepared.env,
        named_volumes={"keys": keys_dir},
    )


def test_when_the_replicas_read_the_config_then_it_is_valid(gateway_files, prepared):
    text = CONFIG.read_text("utf-8")
    mapped = gateway_files.rewrite(text)
    settings = re.sub(r"#[^\n]*|^path_prefix = .*$", "", mapped, flags=re.M)
    for path in re.findall(r'"(/[^"]*)"', settings):
        # Every file the config names is one compose gives the replica.
        hosts = [str(host) for host in gateway_files.mapping.values()]
        assert any(path == h or path.startswith(h + "/") for h in hosts), f"{path} not mounted"
    data = tomllib.loads(mapped)
    config = config_from_mapping(data, source=str(CONFIG), base_dir=DOCKER)
    assert config.keys is not None
    assert config.audit is not None
    # The KEK compose copies in (0400, the gateway's uid) opens the keyring keys-init made.
    assert config.keys.kek.file is not None
    kek = load_kek(file=config.keys.kek.file, env=None)
    Keyring.open(config.keys.dir, kek)


def test_when_the_config_names_other_services_then_compose_runs_them_there():
    data = tomllib.loads(CONFIG.read_text("utf-8"))
    compose = services()
    # The load balancer and the healthchecks reach the listeners this config opens.
    assert data["server"]["host"] == data["admin"]["host"] == "0.0.0.0"
    lb = (DOCKER / "nginx" / "lb.conf").read_text("utf-8")
    assert re.findall(r"server gateway-\d:(\d+)", lb) == [str(data["server"]["port"])] * 2
    readyz = f"http://127.0.0.1:{data['admin']['port']}/readyz"
    assert readyz in " ".join(compose["gateway-1"]["healthcheck"]["test"])
    # The AI service.
    lara = URL(data["routes"][0]["upstream"])
    assert lara.host == "lara"
    command = compose["lara"]["command"]
    assert command[command.index("--port") + 1] == str(lara.port)
    # Shared state and policy.
    redis_url = URL(data["rate_limits"]["redis_url"])
    assert (redis_url.host, redis_url.port, redis_url.user) == ("redis", 6379, "gerbang")
    assert data["conversations"]["redis_url"] == data["rate_limits"]["redis_url"]
    assert data["conversations"]["store"] == data["rate_limits"]["store"] == "redis"
    opa = URL(data["policy"]["opa"]["url"])
    assert opa.host == "opa"
    assert f"--addr=0.0.0.0:{opa.port}" in compose["opa"]["command"]
    # Callers' tokens: the provider's issuer, audience and key set, as compose starts it.
    issuer = data["auth"]["issuers"][0]
    provider = compose["oidc-provider"]
    assert issuer["issuer"] == f"http://127.0.0.1:{provider['command'][-1]}"
    assert issuer["audiences"] == provider["environment"]["OIDC_RESOURCES"].split()
    jwks = URL(issuer["jwks_uri"])
    assert jwks.host in compose["oidc"]["networks"]["internal"]["aliases"]
    # Clients behind the load balancer: the replicas trust exactly its fixed internal address.
    assert data["server"]["trusted_proxies"] == [
        compose["lb"]["networks"]["internal"]["ipv4_address"]
    ]
    assert f"listen {jwks.port} ssl;" in (DOCKER / "nginx" / "oidc.conf").read_text("utf-8")


def test_when_keys_init_runs_again_then_it_keeps_the_keyring(prepared, tmp_path):
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir(mode=0o700)
    first = _run_keys_init(prepared, keys_dir, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    keyring = (keys_dir / "keyring.json").read_bytes()

    second = _run_keys_init(prepared, keys_dir, tmp_path / "second")

    assert second.returncode == 0, second.stderr
    assert (keys_dir / "keyring.json").read_bytes() == keyring


def test_when_lara_runs_alone_then_its_healthcheck_passes(tmp_path):
    service = services()["lara"]
    port = free_port()
    assert service["entrypoint"] == ["python", "-m", "gateway.demo.lara"]
    assert service["command"] == ["--host", "0.0.0.0", "--port", "8000"]
    argv = [sys.executable, "-m", "gateway.demo.lara", "--host", "127.0.0.1", "--port", str(port)]
    with running(argv, log=tmp_path / "lara.log"):
        assert wait_for_http(f"http://127.0.0.1:{port}/healthz", 15), (
            tmp_path / "lara.log"
        ).read_text()
        test = service["healthcheck"]["test"]
        assert test[:2] == ["CMD", "python"]
        check = [sys.executable] + [a.replace(":8000/", f":{port}/") for a in test[2:]]
        assert subprocess.run(check, timeout=10).returncode == 0
