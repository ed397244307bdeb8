"""find_laws as a pattern registry (issue 22): every pattern module of ``verification/nn/laws/`` with a matcher is
in :data:`NODE_PATTERNS` (or is the graph-level hand-written attention), and the torch path loads no SymPy."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import conslaw.verification.nn.laws as laws
from conslaw.verification.nn.laws.registry import NODE_PATTERNS


def test_every_pattern_module_is_registered():
    with_match = set()
    for info in pkgutil.iter_modules(laws.__path__):
        module = importlib.import_module(f"{laws.__name__}.{info.name}")
        if hasattr(module, "match"):
            with_match.add(module.match)
    assert with_match == {match for _, match in NODE_PATTERNS}
    names = [name for name, _ in NODE_PATTERNS]
    assert len(set(names)) == len(names)


def test_the_torch_path_loads_no_sympy():
    """find_laws and check_laws load none of conslaw's exact core (only its error types) and, without example
    inputs, no SymPy at all; with them torch's own symbolic shapes (torch.export, fake tensors) load SymPy."""
    code = ("import sys, torch\nfrom torch import nn\nfrom conslaw.verification.nn.laws import find_laws, check_laws\n"
            "m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))\n"
            "inv = find_laws(m)\nprint('sympy' in sys.modules)\n"
            "inv = find_laws(m, example_inputs=(torch.randn(5, 3),))\n"
            "check_laws(m, inv, nn.functional.mse_loss, [(torch.randn(5, 3), torch.randn(5, 2))])\n"
            "assert inv.groups\n"
            "print(sorted(k for k in sys.modules if k.startswith('conslaw.algebra') or k.startswith('conslaw.verification.p')"
            " or k.startswith('conslaw.verification.c')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["False", "['conslaw.algebra', 'conslaw.algebra.errors']"]
