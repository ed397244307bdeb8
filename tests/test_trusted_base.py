"""The checker's trusted base, enforced: the modules that re-verify certificates import only the standard library,
SymPy (expressions and DomainMatrix), each other, and conslaw's bounded polynomial grammar — never the producer
(its sparse rings, FLINT, the architecture builders, the trace), torch or numpy."""
from __future__ import annotations

import ast
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRUSTED = ["verification/checker.py", "verification/checker_work.py", "verification/checker_sign_flow.py",
           "verification/checker_data_symmetry.py", "verification/checker_intrinsic.py", "algebra/polynomial_text.py",
           "algebra/errors.py"]
ALLOWED_PACKAGES = {"sympy"}
ALLOWED_CONSLAW = {"conslaw.algebra.polynomial_text", "conslaw.algebra.errors"}
ALLOWED_RELATIVE = {"checker", "checker_work", "checker_sign_flow", "checker_data_symmetry", "checker_intrinsic",
                    "errors", "polynomial_text"}


def _imports(path: str) -> list[tuple[str, int]]:
    tree = ast.parse(open(os.path.join(ROOT, path)).read())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


@pytest.mark.parametrize("path", TRUSTED)
def test_the_checker_imports_only_its_trusted_base(path):
    stdlib = sys.stdlib_module_names
    for name, level in _imports(path):
        top = name.split(".")[0]
        if level:
            assert name in ALLOWED_RELATIVE, f"{path} imports .{name}: outside the trusted base"
        elif name.startswith("conslaw"):
            assert name in ALLOWED_CONSLAW, f"{path} imports {name}: outside the trusted base"
        else:
            assert top in stdlib or top in ALLOWED_PACKAGES or top == "__future__", \
                f"{path} imports {name}: outside the trusted base"
