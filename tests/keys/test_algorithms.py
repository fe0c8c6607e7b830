"""keys.algorithms: known-answer vectors from the standards, round trips, and every refusal."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only to build an RFC 9180 KAT

from keys import algorithms as alg
from keys.algorithms import CryptoError

# RFC 8032 section 7.1, TEST 1 (empty message).
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

# RFC 9180 test vectors (the CFRG test-vectors.json of the final RFC, commit 5f503c5): mode_base,
# DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (kem_id 32, kdf_id 1, aead_id 2):
# recipient key, encapsulated key and the key schedule's output.
HPKE_INFO = bytes.fromhex("4f6465206f6e2061204772656369616e2055726e")
HPKE_SK_R = bytes.fromhex("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d")
HPKE_PK_R = bytes.fromhex("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c")
HPKE_ENC = bytes.fromhex("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256")
HPKE_KEY = bytes.fromhex("f50b0609186798729ed0564b36ef2ef8044f1f9d05636874d1f46c819c7a669f")
HPKE_BASE_NONCE = bytes.fromhex("151d9929e2449747889bc923")
HPKE_PT = bytes.fromhex("4265617574792069732074727574682c20747275746820626561757479")


def test_when_signing_rfc8032_test_1_then_signature_and_public_key_match() -> None:
    signer = alg.Ed25519Signer(RFC8032_SECRET)
    assert signer.public_key == RFC8032_PUBLIC
    assert signer.sign(b"") == RFC8032_SIGNATURE
    assert alg.ed25519_public(RFC8032_SECRET) == RFC8032_PUBLIC


def test_when_verifying_rfc8032_test_1_then_only_the_exact_signature_passes() -> None:
    assert alg.ed25519_verify(RFC8032_PUBLIC, b"", RFC8032_SIGNATURE)
    assert not alg.ed25519_verify(RFC8032_PUBLIC, b"\x00", RFC8032_SIGNATURE)
    for index in (0, 31, 63):
        forged = bytearray(RFC8032_SIGNATURE)
        forged[index] ^= 0x01
        assert not alg.ed25519_verify(RFC8032_PUBLIC, b"", bytes(forged))
    other_public = alg.generate_ed25519()[1]
    assert not alg.ed25519_verify(other_public, b"", RFC8032_SIGNATURE)


def test_when_verifying_malformed_inputs_then_false_not_an_exception() -> None:
    assert not alg.ed25519_verify(RFC8032_PUBLIC[:31], b"", RFC8032_SIGNATURE)
    assert not alg.ed25519_verify(RFC8032_PUBLIC, b"", RFC8032_SIGNATURE[:63])
    assert not alg.ed25519_verify(b"\xff" * 32, b"", RFC8032_SIGNATURE)


@pytest.mark.parametrize(
    ("key", "data", "expected"),
    [
        # RFC 4231 test case 1
        (
            b"\x0b" * 20,
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        # RFC 4231 test case 2
        (
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        # RFC 4231 test case 6 (key longer than the block size)
        (
            b"\xaa" * 131,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
    ],
)
def test_when_hmac_rfc4231_cases_then_tags_match(key: bytes, data: bytes, expected: str) -> None:
    assert alg.hmac_sha256(key, data).hex() == expected


def test_when_hmac_key_is_empty_then_refused() -> None:
    with pytest.raises(CryptoError):
        alg.hmac_sha256(b"", b"data")


def test_when_hashing_fips_180_abc_then_sha256_matches() -> None:
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert alg.sha256(b"abc").hex() == expected
    assert alg.equal(alg.sha256(b"abc"), bytes.fromhex(expected))
    assert not alg.equal(alg.sha256(b"abd"), bytes.fromhex(expected))


def test_when_random_keys_are_drawn_then_32_bytes_and_distinct() -> None:
    keys = {alg.random_key() for _ in range(64)}
    assert len(keys) == 64
    assert all(len(key) == alg.KEY_BYTES for key in keys)


# -- HPKE sealing -----------------------------------------------------------------------------


def test_when_opening_an_rfc9180_vector_then_the_key_schedule_matches_the_standard() -> None:
    """Single-shot open of the RFC 9180 suite: enc from the vector, body sealed with the vector's
    key and base nonce (sequence 0, empty associated data). It opens only if decapsulation and
    the key schedule give exactly the standard's key and nonce."""
    assert alg.x25519_public(HPKE_SK_R) == HPKE_PK_R
    body = AESGCM(HPKE_KEY).encrypt(HPKE_BASE_NONCE, HPKE_PT, b"")
    assert alg.open_with_private_key(HPKE_ENC + body, HPKE_SK_R, HPKE_INFO) == HPKE_PT
    with pytest.raises(CryptoError):
        alg.open_with_private_key(HPKE_ENC + body, HPKE_SK_R, HPKE_INFO + b"!")


def test_when_sealing_to_a_public_key_then_only_its_private_key_opens_it() -> None:
    private, public = alg.generate_x25519()
    sealed = alg.seal_to_public_key(b"segment data key", public, b"segment-7")
    assert len(sealed) == len(b"segment data key") + alg.SEALED_OVERHEAD
    assert b"segment data key" not in sealed
    assert alg.open_with_private_key(sealed, private, b"segment-7") == b"segment data key"
    assert alg.seal_to_public_key(b"segment data key", public, b"segment-7") != sealed  # fresh enc


def test_when_opening_with_another_private_key_then_refused() -> None:
    _, public = alg.generate_x25519()
    other_private, _ = alg.generate_x25519()
    sealed = alg.seal_to_public_key(b"secret", public, b"info")
    with pytest.raises(CryptoError, match="cannot open"):
        alg.open_with_private_key(sealed, other_private, b"info")


def test_when_opening_with_other_info_then_refused() -> None:
    private, public = alg.generate_x25519()
    sealed = alg.seal_to_public_key(b"secret", public, b"segment-1")
    with pytest.raises(CryptoError):
        alg.open_with_private_key(sealed, private, b"segment-2")


def test_when_any_byte_of_a_sealed_value_is_flipped_then_refused() -> None:
    private, public = alg.generate_x25519()
    sealed = alg.seal_to_public_key(b"secret value", public, b"info")
    for index in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[index] ^= 0x80
        with pytest.raises(CryptoError):
            alg.open_with_private_key(bytes(tampered), private, b"info")
    for cut in (sealed[:-1], sealed[: alg.SEALED_OVERHEAD - 1], b""):
        with pytest.raises(CryptoError):
            alg.open_with_private_key(cut, private, b"info")


def test_when_keys_have_the_wrong_length_then_crypto_error() -> None:
    with pytest.raises(CryptoError, match="32 bytes"):
        alg.seal_to_public_key(b"x", b"\x01" * 31, b"info")
    with pytest.raises(CryptoError, match="32 bytes"):
        alg.open_with_private_key(b"\x00" * 64, b"\x01" * 33, b"info")
    with pytest.raises(CryptoError, match="32 bytes"):
        alg.Ed25519Signer(b"\x01" * 16)
    with pytest.raises(CryptoError, match="32 bytes"):
        alg.AeadSealer(b"\x01" * 16)


# -- AES-256-GCM ------------------------------------------------------------------------------


def test_when_aead_round_trips_then_bound_to_associated_data() -> None:
    sealer = alg.AeadSealer(alg.random_key())
    sealed = sealer.seal(b"value", b"context")
    assert sealer.open(sealed, b"context") == b"value"
    with pytest.raises(alg.AeadError):
        sealer.open(sealed, b"other context")
    with pytest.raises(alg.AeadError):
        alg.AeadSealer(alg.random_key()).open(sealed, b"context")
    tampered = bytearray(sealed)
    tampered[alg.NONCE_BYTES] ^= 0x01
    with pytest.raises(alg.AeadError):
        sealer.open(bytes(tampered), b"context")
    with pytest.raises(alg.AeadError, match="too short"):
        sealer.open(sealed[:10], b"context")


# -- PEM --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["x25519", "ed25519"])
def test_when_keys_go_through_pem_then_they_come_back_unchanged(kind: str) -> None:
    private, public = alg.generate_x25519() if kind == "x25519" else alg.generate_ed25519()
    public_pem = alg.public_key_pem(public, kind)
    private_pem = alg.private_key_pem(private, kind)
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert alg.public_key_from_pem(public_pem, kind) == public
    assert alg.private_key_from_pem(private_pem.encode(), kind) == private


def test_when_pem_is_of_another_kind_or_garbage_then_refused() -> None:
    _, x_public = alg.generate_x25519()
    ed_private, _ = alg.generate_ed25519()
    with pytest.raises(CryptoError, match="not an ed25519"):
        alg.public_key_from_pem(alg.public_key_pem(x_public, "x25519"), "ed25519")
    with pytest.raises(CryptoError, match="not an x25519"):
        alg.private_key_from_pem(alg.private_key_pem(ed_private, "ed25519"), "x25519")
    with pytest.raises(CryptoError, match="not a PEM"):
        alg.public_key_from_pem("hello", "x25519")
    with pytest.raises(CryptoError, match="unknown public key kind"):
        alg.public_key_pem(x_public, "rsa")
