"""The import contract (issue 22): the package's layers, read from the source.

- no import cycle between conslaw's modules, counting imports inside functions (a cycle closed by a late
  import is still a cycle);
- the subpackages of ``conslaw.verification`` import only downward, in the order of :data:`LAYERS`, and
  ``conslaw.algebra`` (the exact core) never imports ``conslaw.verification``, torch or numpy;
- the checker's trusted base (``verification/checker/``) imports only the standard library, SymPy and
  conslaw's bounded polynomial grammar, and checking a certificate loads nothing else (asserted in a fresh
  interpreter); the modular certificates' checker alone adds NumPy and FLINT, loaded for that format only;
- torch, Dask and matplotlib are imported only inside the subpackages that need them.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: source folder → the dotted package it installs as (setup.cfg's package_dir)
FOLDERS = {"api": "conslaw", "algebra": "conslaw.algebra", "verification": "conslaw.verification"}

#: conslaw.verification's subpackages and top modules, top to bottom: a module may import its own unit and the
#: units below it, never one above
LAYERS = ["cli", "testing", "catalogue", "nn", "report", "numeric", "proofs", "checker", "moved"]

TRUSTED_CONSLAW = {"conslaw.algebra.polynomial_text", "conslaw.algebra.errors"}
#: the modular certificates' checker (issue 24) also trusts NumPy's integer arrays, its own Numba-compiled loops and
#: FLINT's rank mod p; it is loaded only for a certificate of that format
MODULAR_CHECKER = {"conslaw.verification.checker.modular", "conslaw.verification.checker.modular_phi",
                   "conslaw.verification.checker.modular_loops"}
BALL_CHECKER = {"conslaw.verification.checker.ball"}  # + FLINT's arb balls
#: heavy optional libraries → the units allowed to import them
HEAVY = {"torch": {"numeric", "nn", "catalogue", "testing"}, "dask": {"catalogue", "proofs"},
         "distributed": {"catalogue", "proofs"},  # proofs: one count's pieces on Dask (proofs/fanout.py, lazily)
         "matplotlib": {"nn"},
         "numba": {"proofs", "checker"}}  # the modular route's compiled loops (producer's and checker's own)


def _modules() -> dict[str, Path]:
    """Every conslaw module, dotted name → file."""
    out = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imports_of(name: str) -> list[tuple[str, int]]:
    """(imported dotted name, line) for every import in module ``name``, at any depth, relative ones resolved;
    ``from package import submodule`` counts as importing the submodule.  Imports under ``TYPE_CHECKING`` are
    left out (they never run)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.append((sub if sub in MODULES else module, node.lineno))
    return out


def conslaw_graph() -> nx.DiGraph:
    """conslaw's modules, an edge from each to every conslaw module it imports."""
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for name in MODULES:
        for target, line in imports_of(name):
            while target and target not in MODULES and target.startswith("conslaw"):
                target = target.rpartition(".")[0]
            if target in MODULES and target != name:
                g.add_edge(name, target, line=line)
    return g


def unit(name: str) -> str | None:
    """The layer of a module of conslaw.verification (its subpackage or top module), else None."""
    prefix = "conslaw.verification."
    return name[len(prefix):].split(".")[0] if name.startswith(prefix) else None


def test_the_graph_sees_every_subpackage():
    units = {unit(m) for m in MODULES} - {None}
    assert units == set(LAYERS), f"units not in LAYERS: {sorted(units - set(LAYERS))}"
    assert len(MODULES) > 100 and conslaw_graph().number_of_edges() > 300


def test_no_import_cycle():
    g = conslaw_graph()
    # a package's __init__ that re-exports its own modules is not a cycle with them
    g.remove_edges_from([(a, b) for a, b in list(g.edges) if b.startswith(a + ".")])
    cycles = list(nx.simple_cycles(g, length_bound=8))
    shown = ["  " + " → ".join(c + [c[0]]) for c in cycles[:5]]
    assert not cycles, f"{len(cycles)} import cycles, e.g.\n" + "\n".join(shown)


def test_verification_imports_only_downward():
    rank = {u: i for i, u in enumerate(LAYERS)}
    bad = []
    for a, b, data in conslaw_graph().edges(data=True):
        ua, ub = unit(a), unit(b)
        if ua and ub and rank[ub] < rank[ua]:
            bad.append(f"{a} (line {data['line']}) imports {b}: {ua} is below {ub}")
    assert not bad, "\n".join(bad)


def test_algebra_is_the_bottom():
    bad = [f"{m} imports {t} (line {line})" for m in MODULES if m.startswith("conslaw.algebra")
           for t, line in imports_of(m)
           if t.startswith("conslaw.verification") or t.split(".")[0] in ("torch", "numpy")]
    assert not bad, "\n".join(bad)


def test_heavy_libraries_only_where_needed():
    bad = []
    for m in MODULES:
        for t, line in imports_of(m):
            allowed = HEAVY.get(t.split(".")[0])
            if allowed is not None and unit(m) not in allowed:
                bad.append(f"{m} imports {t} (line {line})")
    assert not bad, "\n".join(bad)


def _is_std(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if unit(m) == "checker"))
def test_the_checker_imports_only_its_trusted_base(module):
    for target, line in imports_of(module):
        ok = (_is_std(target) or target.split(".")[0] == "sympy" or target in TRUSTED_CONSLAW
              or target.startswith("conslaw.verification.checker")
              or (module in MODULAR_CHECKER and target.split(".")[0] in ("numpy", "flint", "numba"))
              or (module in BALL_CHECKER and target.split(".")[0] == "flint"))
        assert ok, f"{module} imports {target} (line {line}): outside the trusted base"


@pytest.mark.parametrize("module", sorted(TRUSTED_CONSLAW))
def test_the_grammar_imports_only_the_standard_library(module):
    for target, line in imports_of(module):
        assert _is_std(target) or target in TRUSTED_CONSLAW, f"{module} imports {target} (line {line})"


def test_checking_a_certificate_loads_only_the_trusted_base(tmp_path):
    """In a fresh interpreter: write a certificate (the producer), then, in a second one, check it and list the
    modules loaded — conslaw's must be the checker, the grammar and the packages' (lazy) ``__init__``s; no torch,
    numpy or networkx.  (SymPy may load python-flint for its own ground types: that is SymPy's choice.)"""
    cert = tmp_path / "c.json"
    subprocess.run([sys.executable, "-m", "conslaw", "certify", "relu", "2", "2", "1", "-o", str(cert)], check=True,
                   capture_output=True)
    code = ("import sys\nfrom conslaw.verification.checker import check_file\n"
            f"assert check_file({str(cert)!r}).ok\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('conslaw') or m.split('.')[0] in "
            "('torch', 'numpy', 'networkx'))))")
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                            env=env).stdout.split()
    allowed = TRUSTED_CONSLAW | {"conslaw", "conslaw.algebra", "conslaw.verification", "conslaw.verification.moved"}
    extra = [m for m in loaded if m not in allowed and not m.startswith("conslaw.verification.checker")]
    assert not extra, f"checking a certificate loaded {extra}"
