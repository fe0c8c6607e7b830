"""Keyring: versioned keys, envelope encryption, signing, keyed hashing (a later issue)."""
