"""Benchmarks of lossgrad: speed and memory against micrograd 0.1.0 and a hand-written loop.

Run ``python -m benchmarks`` from the repository root (``--quick``, ``--json``, ``--help``).
"""
