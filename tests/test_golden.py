"""Behaviour pinned by golden files (``tools/golden.py``): the complete text of one command per CLI path, and
``conslaw verify --grid full`` (results.json and every certificate, timings zeroed).  A change here is a change
of behaviour: record it on purpose with ``python tools/golden.py --write`` and say why in the commit."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_TOOL = Path(__file__).resolve().parent.parent / "tools" / "golden.py"
_spec = importlib.util.spec_from_file_location("conslaw_golden", _TOOL)
golden = importlib.util.module_from_spec(_spec)
sys.modules["conslaw_golden"] = golden
_spec.loader.exec_module(golden)


def test_cli_texts_are_unchanged():
    diffs = golden.compare({f"cli/{name}.txt": text for name, text in golden.cli_texts().items()})
    assert not diffs, "\n".join(d[:3000] for d in diffs)


@pytest.mark.slow
def test_verify_full_is_unchanged():
    diffs = golden.compare(golden.verify_full())
    assert not diffs, "\n".join(d[:3000] for d in diffs)
