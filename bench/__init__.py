"""Benchmarks (bench/README.md). Not imported by the project: only the benchmarks' gunicorn loads bench.settings."""
