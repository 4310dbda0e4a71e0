"""Helpers of `scripts/bench.py` (`make bench`): environment, measures and the report.

`report` is pure (no Django, no network) and is what the smoke test imports.
"""
