"""Benchmarks: each module prints a table; latest figures in docs/BENCHMARKS.md."""
