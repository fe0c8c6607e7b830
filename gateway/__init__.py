"""Gerbang: a compliance reverse proxy for AI services."""

from gateway.native import share_cxx_runtime

share_cxx_runtime()  # before any C++ extension loads: see gateway/native.py

__version__ = "0.1.0"
