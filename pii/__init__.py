"""Personal-data detection and masking for Indonesian and English text (filled by a later issue)."""
