"""Benchmark and corpus tools (not part of the installed package)."""
