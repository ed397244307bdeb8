"""Helpers for users' test suites: Hypothesis strategies, assertions, the catalogue's expectations and the
pytest plugin (entry point ``pytest11``)."""
