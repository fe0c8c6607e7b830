"""Every recognizer, registered in one place. One recognizer per module."""

from __future__ import annotations

from pii.recognizers.base import GerbangRecognizer
from pii.recognizers.nik import NikRecognizer

RECOGNIZER_CLASSES: tuple[type[GerbangRecognizer], ...] = (NikRecognizer,)


def default_recognizers() -> list[GerbangRecognizer]:
    """A fresh instance of every built-in recognizer."""
    return [cls() for cls in RECOGNIZER_CLASSES]
