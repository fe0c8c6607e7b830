"""Gerbang: a compliance reverse proxy for AI services."""

__version__ = "0.1.0"
