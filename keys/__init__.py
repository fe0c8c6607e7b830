"""Keys for Gerbang: the only package that imports `cryptography.hazmat`.

- `keys.algorithms`: the one place algorithms are chosen (AES-256-GCM, HPKE X25519 sealing,
  Ed25519, HMAC-SHA256, SHA-256, OS randomness) and PEM conversion of public/private keys.
- `keys.keyring`: versioned keys with one purpose each ("signing", "pseudonym", "token"),
  sealed at rest under a key-encryption key (`keys.kek`; optionally Vault/OpenBao transit,
  `keys.vault`), rotation keeping old versions.
- `keys.publickeys`: the public-key document auditors keep; `keys.files`: 0600 secret files.
- `keys.cli`: `gerbang keys init | rotate PURPOSE | list | export-public`.
"""
