"""Signed OPA bundles: check a bundle's `.signatures.json` the way OPA does, with joserfc.

`opa build --signing-key` adds `.signatures.json` to a bundle: `{"signatures": [JWT]}`, one JWT
whose payload lists every file of the bundle with a digest, `{"files": [{"name", "hash",
"algorithm"}]}`. A bundle is accepted only when

- the JWT verifies with the configured public key, under an asymmetric algorithm of
  `ALGORITHMS` (never `none` or an HMAC: a shared secret could not stay secret on every replica);
- its file list names exactly the regular files of the archive (`.signatures.json` aside): none
  missing, none extra, none twice;
- every digest matches. As OPA computes it (bundle/hash.go and verify.go of OPA 1.x, checked
  against `opa build` output in tests/policies/test_bundle_signing.py): the raw bytes for `.rego`
  and other files; for `data.json` and `.manifest` the JSON value re-encoded canonically (object
  keys sorted, no whitespace, numbers as written, strings as Go writes them without HTML
  escaping), so reformatting JSON keeps the signature valid.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Final

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key

SIGNATURES_FILE: Final = ".signatures.json"
MANIFEST_FILE: Final = ".manifest"

ALGORITHMS: Final = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
"""The JWT algorithms a bundle signature may use: asymmetric only."""

_DIGESTS: Final[Mapping[str, str]] = {"SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
"""The digest algorithms accepted in a signature's file list (OPA's names -> hashlib's)."""
_STRUCTURED: Final = frozenset({"data.json", MANIFEST_FILE})

VerificationKey = RSAKey | ECKey | OKPKey

# OPA names the Ed25519 algorithm "EdDSA" (RFC 8037); joserfc warns that RFC 9864 deprecates
# that name on every use. The name is OPA's, so the warning says nothing actionable here.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)


class SignatureError(Exception):
    """A bundle whose signature does not hold; the message says what is wrong."""


def load_verification_key(path: Path) -> VerificationKey:
    """The public key (PEM: RSA, EC or Ed25519) in `path`; ValueError naming the problem."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    key = _import_pem(pem)
    if key is None:
        raise ValueError(f"{path}: not a PEM public key (RSA, EC or Ed25519)")
    if key.is_private:
        raise ValueError(f"{path}: holds a private key; give the public half")
    return key


def load_signing_key(path: Path) -> VerificationKey:
    """The private key (PEM) in `path`; ValueError naming the problem."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    key = _import_pem(pem)
    if key is None or not key.is_private:
        raise ValueError(f"{path}: not a PEM private key (RSA, EC or Ed25519)")
    return key


def public_half(key: VerificationKey) -> VerificationKey:
    """The public key of a key pair (for checking what was just signed)."""
    return type(key).import_key(key.as_dict(private=False))


def key_fits(key: VerificationKey, algorithm: str) -> bool:
    """Whether `algorithm` signs with keys of `key`'s type."""
    kinds: dict[str, type[VerificationKey]] = {
        "RS": RSAKey,
        "PS": RSAKey,
        "ES": ECKey,
        "Ed": OKPKey,
    }
    return isinstance(key, kinds.get(algorithm[:2], type(None)))


def _import_pem(pem: bytes) -> VerificationKey | None:
    for kind in ("RSA", "EC", "OKP"):
        try:
            key = import_key(pem, kind)
        except (ValueError, TypeError, JoseError):
            continue
        if isinstance(key, RSAKey | ECKey | OKPKey):
            return key
    return None


def file_digest(name: str, content: bytes, algorithm: str = "SHA-256") -> str:
    """The hex digest OPA records for the bundle file `name`; SignatureError when it has none."""
    hash_name = _DIGESTS.get(algorithm)
    if hash_name is None:
        raise SignatureError(f"{name}: unsupported digest algorithm {algorithm!r}")
    if PurePosixPath(name).name not in _STRUCTURED:
        return hashlib.new(hash_name, content).hexdigest()
    try:
        text = content.decode("utf-8").removeprefix("\ufeff")  # Go strips a BOM too
        value = json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_not_json)
        parts: list[str] = []
        _canonical(value, parts)
        canonical = "".join(parts).encode("utf-8")
    except (ValueError, UnicodeError):  # JSONDecodeError is a ValueError
        raise SignatureError(f"{name}: not UTF-8 JSON") from None
    return hashlib.new(hash_name, canonical).hexdigest()


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


class _Number(str):
    """A JSON number kept as written: OPA hashes json.Number literals unchanged."""


def _canonical(value: object, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, key in enumerate(sorted(value)):  # code point order = Go's UTF-8 byte order
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _canonical(value[key], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _canonical(item, out)
        out.append("]")
    elif isinstance(value, _Number):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_string(value))
    else:  # True, False, None
        out.append(json.dumps(value))


def _string(text: str) -> str:
    # Go's encoding/json with SetEscapeHTML(false) writes what Python's json writes with
    # ensure_ascii=False, except that it always escapes U+2028 and U+2029.
    encoded = json.dumps(text, ensure_ascii=False)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def verify_bundle(files: Mapping[str, bytes], key: VerificationKey) -> None:
    """Check the signature of a bundle given as {name: content} of every regular file in it.

    Raises SignatureError saying why the bundle is refused.
    """
    raw = files.get(SIGNATURES_FILE)
    if raw is None:
        raise SignatureError(f"unsigned: no {SIGNATURES_FILE}")
    listed = _signed_files(raw, key)
    present = {name for name in files if name != SIGNATURES_FILE}
    extra = sorted(present - listed.keys())
    if extra:
        raise SignatureError(f"{extra[0]}: not listed in the signature")
    missing = sorted(listed.keys() - present)
    if missing:
        raise SignatureError(f"{missing[0]}: listed in the signature but not in the bundle")
    for name in sorted(present):
        algorithm, expected = listed[name]
        if file_digest(name, files[name], algorithm) != expected.lower():
            raise SignatureError(f"{name}: digest mismatch (altered after signing)")


def _signed_files(raw: bytes, key: VerificationKey) -> dict[str, tuple[str, str]]:
    """name -> (digest algorithm, hex digest) from a verified `.signatures.json`."""
    try:
        document = json.loads(raw)
        tokens = document["signatures"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise SignatureError(f"{SIGNATURES_FILE}: not a signatures document") from None
    if not isinstance(tokens, list) or len(tokens) != 1 or not isinstance(tokens[0], str):
        raise SignatureError(f"{SIGNATURES_FILE}: must hold exactly one JWT")
    try:
        token = jws.deserialize_compact(tokens[0], key, algorithms=ALGORITHMS)
    except JoseError as exc:
        raise SignatureError(f"{SIGNATURES_FILE}: signature refused ({exc.error})") from None
    except ValueError:
        raise SignatureError(f"{SIGNATURES_FILE}: not a compact JWT") from None
    try:
        payload = json.loads(token.payload)
    except (ValueError, UnicodeDecodeError):
        raise SignatureError(f"{SIGNATURES_FILE}: the JWT payload is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("files"), list):
        raise SignatureError(f"{SIGNATURES_FILE}: the JWT payload lists no files")
    if payload.get("scope", "") != "":
        raise SignatureError(f"{SIGNATURES_FILE}: signed for scope {payload['scope']!r}")
    listed: dict[str, tuple[str, str]] = {}
    for entry in payload["files"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        digest = entry.get("hash") if isinstance(entry, dict) else None
        algorithm = entry.get("algorithm") if isinstance(entry, dict) else None
        if not (isinstance(name, str) and isinstance(digest, str) and isinstance(algorithm, str)):
            raise SignatureError(f"{SIGNATURES_FILE}: a file entry lacks name, hash or algorithm")
        if name in listed:
            raise SignatureError(f"{name}: listed twice in the signature")
        if algorithm not in _DIGESTS:
            raise SignatureError(f"{name}: unsupported digest algorithm {algorithm!r}")
        listed[name] = (algorithm, digest)
    return listed
