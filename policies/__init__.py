"""Authorization by policy files: the default Rego bundle and the engines that evaluate it.

policies/bundle holds the Rego a security team starts from; `EmbeddedEngine` (regopy, in
process) and `OpaServerEngine` (an OPA server) evaluate the same files behind one interface,
`PolicyEngine`. Nothing here imports the gateway's pipeline.
"""

from pathlib import Path

DEFAULT_BUNDLE = Path(__file__).resolve().parent / "bundle"
"""The default policy bundle shipped with Gerbang (policies/bundle)."""
