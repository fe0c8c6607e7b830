"""docker/compose.yaml: the stack's shape, hardening and wiring, read as data (no engine here).

Plus `docker compose config -q` (the Compose implementation's own validation, interpolation and
merge) wherever a Compose v2 binary can be found; skipped loudly where none can.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.docker.stack import (
    COMPOSE_FILE,
    DOCKER,
    GATEWAY_REPLICAS,
    load_compose,
    services,
    skip_loudly,
)

# An exact release (1.2.3, optionally with a variant such as -alpine) or a digest; never a
# floating tag such as `latest`, `7` or `1.28-alpine`.
PINNED_IMAGE = re.compile(r"^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*)?(@sha256:[0-9a-f]{64})?$")
ONE_SHOT = {"keys-init"}
AUDIT_DIR = "/var/lib/gerbang/audit"


def _targets(service: dict[str, Any]) -> dict[str, str]:
    """Mount target -> source of a service's volumes (short and long syntax)."""
    result = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            result[volume["target"]] = volume["source"]
        else:
            source, target = volume.split(":")[:2]
            result[target] = source
    return result


def _read_only(volume: str | dict[str, Any]) -> bool:
    if isinstance(volume, dict):
        return bool(volume.get("read_only"))
    return volume.endswith(":ro")


def test_when_the_stack_is_read_then_it_has_the_services_the_deployment_guide_names():
    assert set(services()) == {
        "gateway-1",
        "gateway-2",
        "lb",
        "keys-init",
        "opa",
        "bundles",
        "redis",
        "lara",
        "oidc",
        "oidc-provider",
    }


@pytest.mark.parametrize("name", sorted(services()))
def test_when_a_service_runs_then_its_image_is_pinned_or_built_here(name):
    service = services()[name]
    image = service.get("image", "")
    assert image, f"{name}: no image"
    if "build" in service:
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert re.fullmatch(r"gerbang:\d+\.\d+\.\d+", image), f"{name}: built image {image!r}"
    else:
        pinned = PINNED_IMAGE.match(image) and (":" in image or "@" in image)
        assert pinned, f"{name}: image {image!r} is not pinned to an exact release or digest"


@pytest.mark.parametrize("name", sorted(services()))
def test_when_a_service_runs_then_it_is_hardened(name):
    service = services()[name]
    assert service.get("read_only") is True, f"{name}: root filesystem is writable"
    assert service.get("cap_drop") == ["ALL"], f"{name}: capabilities not all dropped"
    assert "no-new-privileges:true" in service.get("security_opt", []), name
    assert not service.get("privileged"), f"{name}: privileged"
    assert not service.get("cap_add"), f"{name}: adds capabilities"
    assert service.get("pid") != "host", name
    assert service.get("network_mode") != "host", name
    assert "/var/run/docker.sock" not in str(service.get("volumes", [])), name
    # Non-root: an explicit uid other than 0, or the Gerbang image (USER 10001 in its Dockerfile).
    user = str(service.get("user", ""))
    if "build" in service:
        assert user in ("", "10001", "10001:10001"), f"{name}: user {user!r}"
    else:
        assert re.fullmatch(r"[1-9]\d*:\d+", user), f"{name}: user {user!r} is not a non-root uid"
    # A read-only root filesystem still needs a scratch /tmp.
    assert any(t.split(":")[0] == "/tmp" for t in service.get("tmpfs", [])), f"{name}: no /tmp"
    limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
    assert {"cpus", "memory", "pids"} <= set(limits), f"{name}: resource limits {limits}"


@pytest.mark.parametrize("name", sorted(set(services()) - ONE_SHOT))
def test_when_a_service_runs_for_long_then_it_has_a_healthcheck(name):
    service = services()[name]
    check = service.get("healthcheck", {})
    assert check.get("test"), f"{name}: no healthcheck"
    assert check["test"][0] in ("CMD", "CMD-SHELL"), name
    assert not check.get("disable"), name
    assert service.get("restart") == "unless-stopped", name


def test_when_the_keyring_is_made_then_the_one_shot_runs_once_without_network():
    keys_init = services()["keys-init"]
    assert keys_init["restart"] == "no"
    assert keys_init["network_mode"] == "none"
    assert _targets(keys_init) == {"/var/lib/gerbang/keys": "keys"}
    assert "test -f /var/lib/gerbang/keys/keyring.json ||" in keys_init["command"][0]


def test_when_services_wait_for_each_other_then_they_wait_for_a_condition():
    known = {"service_healthy", "service_completed_successfully", "service_started"}
    for name, service in services().items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for other, how in depends.items():
            assert how["condition"] in known, f"{name} -> {other}"
            if other in ONE_SHOT:
                assert how["condition"] == "service_completed_successfully", f"{name} -> {other}"
            elif other != "oidc":  # oidc-provider joins oidc's network namespace: started is all
                assert how["condition"] == "service_healthy", f"{name} -> {other}"
    gateway = services()["gateway-1"]["depends_on"]
    assert set(gateway) == {"keys-init", "redis", "opa", "lara", "oidc-provider"}
    assert set(services()["lb"]["depends_on"]) == set(GATEWAY_REPLICAS)
    assert set(services()["opa"]["depends_on"]) == {"bundles"}


def test_when_two_replicas_run_then_they_share_everything_but_their_audit_log():
    first, second = (dict(services()[name]) for name in GATEWAY_REPLICAS)
    first_mounts, second_mounts = _targets(first), _targets(second)
    # Each replica writes its own log: never two writers on one log.
    assert first_mounts.pop(AUDIT_DIR) != second_mounts.pop(AUDIT_DIR)
    assert first_mounts == second_mounts
    first.pop("volumes"), second.pop("volumes")
    assert first == second
    assert first_mounts["/etc/gerbang/gerbang.toml"] == "./gerbang.toml"
    assert first["command"] == ["serve", "--config", "/etc/gerbang/gerbang.toml"]
    volumes = load_compose()["volumes"]
    for name in GATEWAY_REPLICAS:
        assert _targets(services()[name])[AUDIT_DIR] in volumes  # a named volume, not a bind


def test_when_a_gateway_runs_then_only_its_audit_log_is_writable():
    for name in GATEWAY_REPLICAS:
        for volume in services()[name]["volumes"]:
            target = volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
            assert _read_only(volume) == (target != AUDIT_DIR), f"{name}: {target}"


def test_when_secrets_reach_a_container_then_they_are_owner_only_files_of_its_user():
    compose = load_compose()
    for source in compose["secrets"].values():
        # Copied into the container from the environment (docker/.env), never a bind-mounted
        # file whose owner and mode the host decides.
        assert set(source) == {"environment"}
    for name, service in services().items():
        for secret in service.get("secrets", []):
            assert isinstance(secret, dict), f"{name}: short secret syntax ignores uid and mode"
            assert secret["mode"] == 0o400, f"{name}: {secret['source']}"
            expected_uid = str(service.get("user", "10001")).split(":")[0]
            assert secret["uid"] == expected_uid, f"{name}: {secret['source']}"
        environment = service.get("environment", {})
        for key, value in environment.items():
            if re.search(r"SECRET|PASSWORD|KEK|PRIVATE", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), f"{name}: {key} inline"


def test_when_the_stack_is_reached_from_the_host_then_only_two_loopback_ports_are_open():
    published = {
        name: service["ports"] for name, service in services().items() if "ports" in service
    }
    assert published == {"lb": ["127.0.0.1:8080:8080"], "oidc": ["127.0.0.1:8443:8443"]}
    networks = load_compose()["networks"]
    assert networks["internal"]["internal"] is True  # no route out: nothing downloads
    for name, service in services().items():
        attached = service.get("networks", [])
        attached = list(attached) if isinstance(attached, dict | list) else []
        if name in published:
            assert "edge" in attached, name
        elif "network_mode" not in service:
            assert attached == ["internal"], f"{name}: {attached}"


def test_when_files_are_mounted_then_they_exist_here_or_docker_prepare_makes_them():
    made_by_prepare = {
        "./generated/tls/ca.pem",
        "./generated/tls/oidc.pem",
        "./generated/auditors",
        "./generated/opa/bundle-verify.pem",
        "./generated/bundles",
        "./generated/redis/users.acl",
    }
    seen = set()
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith("."):
                assert source in load_compose()["volumes"], f"{name}: {source}"
            elif source.startswith("./generated/"):
                assert source in made_by_prepare, f"{name}: {source}"
                # Missing -> docker refuses to start, instead of mounting an empty directory.
                assert volume["bind"]["create_host_path"] is False, f"{name}: {source}"
                seen.add(source)
            else:
                assert (DOCKER / source).exists(), f"{name}: {source} does not exist"
                assert _read_only(volume), f"{name}: {source} mounted writable"
    assert seen == made_by_prepare
    assert "/generated/" in (DOCKER / ".gitignore").read_text().splitlines()
    assert "/.env" in (DOCKER / ".gitignore").read_text().splitlines()


def _compose_command() -> list[str] | None:
    """A Compose v2 implementation: the docker CLI plugin, a docker-compose v2 on PATH, or the one
    docker/install-compose builds (GERBANG_DOCKER_COMPOSE overrides them all)."""
    override = os.environ.get("GERBANG_DOCKER_COMPOSE")
    if override:
        return [override]
    candidates: list[list[str]] = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    tools = Path(os.environ.get("GERBANG_TOOLS", Path.home() / ".cache" / "gerbang" / "tools"))
    candidates += [[str(path)] for path in sorted(tools.glob("docker-compose-v2.*/docker-compose"))]
    for command in candidates:
        try:
            done = subprocess.run(
                [*command, "version", "--short"], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and re.match(r"v?2\.", done.stdout.strip()):
            return command
    return None


def test_when_compose_reads_the_file_then_it_accepts_it(tmp_path):
    command = _compose_command()
    if command is None:
        skip_loudly(
            "no Docker Compose v2 here (`docker compose version` fails: the docker CLI has no "
            "compose plugin, and there is no docker-compose v2 on PATH); docker/install-compose "
            "builds one from the Go module proxy"
        )
    env_file = tmp_path / "stack.env"
    env_file.write_text(
        "GERBANG_KEK=c3ludGhldGljLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmcuLi4=\n"
        "REDIS_PASSWORD=synthetic\nOIDC_CLIENT_SECRET=synthetic\n"
        'OIDC_TLS_KEY="-----BEGIN PRIVATE KEY-----\\nsynthetic\\n-----END PRIVATE KEY-----\\n"\n',
        "utf-8",
    )
    done = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warnings (e.g. ignored keys) either


def test_when_docker_prepare_has_not_run_then_compose_refuses_to_start(tmp_path):
    command = _compose_command()
    if command is None:
        skip_loudly("no Docker Compose v2 here (see test_when_compose_reads_the_file...)")
    done = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", os.devnull, "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "run docker/prepare first" in done.stderr
