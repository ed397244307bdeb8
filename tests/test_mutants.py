"""The mutation script stays aimed: every deliberate bug of ``tools/mutate.py`` finds the code it mutates exactly
once (a refactor that moves the code must move the mutant with it; running the mutants takes minutes, this check
milliseconds)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_mutant_finds_its_target():
    spec = importlib.util.spec_from_file_location("conslaw_mutate", ROOT / "tools" / "mutate.py")
    mutate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mutate  # dataclasses look their module up
    spec.loader.exec_module(mutate)
    assert len(mutate.MUTANTS) >= 19
    assert mutate.target_problems() == []
