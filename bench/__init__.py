"""Benchmarks (not timed tests): ``python -m bench.bench_api`` and friends; see common.py."""
