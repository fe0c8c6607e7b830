"""Nothing may reach the network: the libraries Presidio uses are told to stay offline.

tldextract would download the public suffix list on first use; it is pointed at the snapshot
bundled in its package instead. No spaCy model is loaded by default, so none is downloaded.
"""

from __future__ import annotations

import functools
import os

import tldextract


@functools.cache
def offline_tld_extractor() -> tldextract.TLDExtract:
    """A TLD extractor that only uses the suffix list shipped inside the tldextract package."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def ensure_offline() -> None:
    """Make libraries that look for models or lists online use local copies only."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TLDEXTRACT_CACHE", "")
    offline_tld_extractor()
