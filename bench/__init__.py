"""Benchmarks and the shared data generator (`python -m bench.generate`). Figures go in docs/performance.md."""
