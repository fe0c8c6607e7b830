"""Gerbang's encrypted, tamper-evident access log (docs/audit.md).

- `audit.record`: the record schema (one per exchange) and helpers that keep values out of it.
- `audit.framing`, `audit.segment`, `audit.heads`: the byte format of segments and signed heads.
- `audit.store`: the files of one stream (segments, keys files, heads.log), recovery, retention.
- `audit.writer`: `AuditWriter`, asyncio group commit with fsync; fails closed.
- `audit.verify`: verification without secrets; `audit.reader`: decryption with an auditor key.
- `audit.export`, `audit.stats`, `audit.cli`: `gerbang audit verify|export|stats|keygen|pseudonym`.
- `audit.auditor_keys`: auditor X25519 key files. (`[audit]` settings: gateway/audit_config.py.)
All cryptography goes through `keys`.
"""
