"""Encrypted, tamper-evident access log and its verifier (filled by a later issue)."""
