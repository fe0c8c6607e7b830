"""The `gerbang` command: serve, demo, config check."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway import __version__
from gateway.config import GatewayConfig, load_config
from gateway.errors import ConfigError

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gerbang",
        description="Gerbang: a privacy and security compliance gateway for AI services.",
    )
    parser.add_argument("--version", action="version", version=f"gerbang {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the gateway with a config file")
    serve.add_argument("--config", "-c", required=True, type=Path, metavar="FILE")
    serve.add_argument(
        "--workers", "-w", type=int, metavar="N", help="worker processes (overrides the config)"
    )

    demo = commands.add_parser(
        "demo", help="run the gateway in front of the built-in LARA assistant, no files needed"
    )
    demo.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8080, help="gateway port (default 8080)")
    demo.add_argument("--admin-port", type=int, default=9090, help="admin port (default 9090)")
    demo.add_argument(
        "--dir",
        type=Path,
        default=Path("gerbang-demo"),
        help="folder for the demo's keyring and audit log (default ./gerbang-demo)",
    )

    pii = commands.add_parser("pii", help="find or mask personal data in JSON-lines text")
    from pii.cli import add_commands as add_pii_commands

    add_pii_commands(pii.add_subparsers(dest="pii_command", required=True, metavar="ACTION"))

    policy = commands.add_parser("policy", help="test policy files, or show a decision")
    from policies.cli import add_commands as add_policy_commands

    add_policy_commands(
        policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    )

    keys = commands.add_parser("keys", help="manage the keyring: init, rotate, list, export-public")
    from keys.cli import add_commands as add_keys_commands

    add_keys_commands(keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION"))

    audit = commands.add_parser("audit", help="verify, export and count the access log")
    from audit.cli import add_commands as add_audit_commands

    add_audit_commands(audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION"))

    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = config_commands.add_parser("check", help="validate a config file without starting")
    check.add_argument("file", type=Path, metavar="FILE")
    return parser


def _load(path: Path, workers: int | None = None) -> GatewayConfig:
    from gateway.server import preflight

    if workers is not None and workers < 1:
        raise ConfigError("--workers: must be at least 1")
    overrides = {"workers": workers} if workers is not None else None
    config = load_config(path, server_overrides=overrides)
    try:
        preflight(config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config


def _serve(config: GatewayConfig) -> int:
    from gateway.logs import setup_logging

    setup_logging(config.logging.level, config.logging.format)
    if config.server.workers > 1:
        from gateway.supervisor import run_workers

        return run_workers(config)
    from gateway.server import serve

    asyncio.run(serve(config))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(_load(args.config, args.workers))
        if args.command == "pii":
            from pii.cli import run as run_pii

            return run_pii(args)
        if args.command == "policy":
            from policies.cli import run as run_policy

            return run_policy(args)
        if args.command == "keys":
            from keys.cli import run as run_keys

            return run_keys(args)
        if args.command == "audit":
            from audit.cli import run as run_audit

            return run_audit(args)
        if args.command == "config":
            config = _load(args.file)
            print(f"{args.file}: OK ({len(config.routes)} routes)")
            return 0
        from gateway.demo.run import run_demo

        return run_demo(
            host=args.host, port=args.port, admin_port=args.admin_port, directory=args.dir
        )
    except ConfigError as exc:
        print(f"gerbang: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
