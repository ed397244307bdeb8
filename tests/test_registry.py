"""One definition per architecture (issue 22): every spec of the registry, on each of its examples, agrees with
itself across the code paths that use it — and nothing outside the registry dispatches on an architecture's name.

- the sizes formula (O(layers), before anything is built) gives the builder's D and number of components of φ;
- the array φ, evaluated on NumPy object arrays of exact fractions at a seeded rational point, has the SymPy φ's
  values there (same θ layout; the same components, up to their order), and torch float64 the same to 1e-12;
- the description from the sizes alone is the builder's;
- the expected count, where the spec has one, equals the exact count D − dim Lie at seeded rational points (the
  engine is a second code path: the formula comes from the paper or from an independent argument);
- the stated laws are conserved (polynomial identities), and the command line accepts every option.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from conslaw.algebra.architectures import SPECS, build_architecture, expected_count, spec_of
from conslaw.algebra.errors import ShapeError, UnknownArchitectureError
from conslaw.algebra.points import working_points
from conslaw.verification.cli import run
from conslaw.verification.numeric.phi import numeric_map
from conslaw.verification.proofs.counting import count_laws
from conslaw.verification.testing import strategies as cst
from conslaw.verification.testing.expectations import expected_law_count

ROOT = Path(__file__).resolve().parent.parent
CASES = [(name, widths, bias, options) for name, spec in SPECS.items()
         for widths, bias, options in spec.examples]
IDS = [f"{n}-{'x'.join(map(str, w)) or 'opts'}-{'bias' if b else 'nobias'}-{'-'.join(str(v) for _, v in o)}"
       for n, w, b, o in CASES]


def _build(name, widths, bias, options):
    return build_architecture(name, list(widths), bias=bias, **dict(options))


def test_every_spec_has_examples_and_a_summary():
    assert {"linear", "relu", "softmax", "conv", "attention", "leaky-relu"} <= set(SPECS)
    for spec in SPECS.values():
        assert spec.examples and spec.summary.endswith("."), spec.name


@pytest.mark.parametrize("name,widths,bias,options", CASES, ids=IDS)
def test_sizes_formula_is_the_builders(name, widths, bias, options):
    arch = _build(name, widths, bias, options)
    spec = spec_of(name)
    opts = {k: dict(options).get(k) for k in spec.options}
    assert spec.sizes(list(widths), bias, opts) == (arch.dim, len(arch.phi))


@pytest.mark.parametrize("name,widths,bias,options", CASES, ids=IDS)
def test_array_phi_is_the_sympy_phi(name, widths, bias, options):
    spec = spec_of(name)
    if spec.array_phi is None:
        pytest.skip(f"{name} has no array phi: the numeric fallback converts the exact one")
    arch = _build(name, widths, bias, options)
    opts = {k: dict(options).get(k) for k in spec.options}
    point = working_points(arch.dim, seed=7, count=1)[0]
    exact = [p(*point) for p in arch.phi]  # SymPy's sparse polynomials at a rational point
    theta = np.array([Fraction(int(c.numerator), int(c.denominator)) for c in point], dtype=object)
    blocks = spec.array_phi(list(widths), bias, opts)(theta)
    mine = [Fraction(x) for b in blocks for x in np.asarray(b, dtype=object).reshape(-1)]
    # the same components (the ReLU path lifting lists them in another order: a permutation changes no count)
    assert Counter(mine) == Counter(Fraction(int(e.numerator), int(e.denominator)) for e in exact)
    numeric = numeric_map(name, list(widths), bias, **dict(options))
    values = numeric.phi(torch.tensor([float(x) for x in theta], dtype=torch.float64))
    assert torch.allclose(values, torch.tensor([float(x) for x in mine], dtype=torch.float64), rtol=1e-12, atol=1e-12)
    assert (numeric.dim, numeric.components) == (arch.dim, len(arch.phi))
    assert numeric.description == arch.description and numeric.notes == list(arch.notes)



@pytest.mark.parametrize("name,widths,bias,options", CASES, ids=IDS)
def test_shape_and_names_from_the_sizes_are_the_builders(name, widths, bias, options):
    """What the modular route writes into certificates and law reports without building φ (the architecture's
    shape and parameter names) is what the builder would give."""
    spec = spec_of(name)
    if spec.array_laws is None:
        return
    arch = _build(name, widths, bias, options)
    full = {k: dict(options).get(k) for k in spec.options}
    assert spec.shape(list(widths), bias, full) == arch.shape
    assert spec.names_of(list(widths), bias, full) == list(arch.space.names)

@pytest.mark.parametrize("name,widths,bias,options", CASES, ids=IDS)
def test_expected_count_is_the_exact_count(name, widths, bias, options):
    expected = expected_count(name, widths, bias, **dict(options))
    _, _, report = count_laws(_build(name, widths, bias, options), seed=3)
    assert report["known_laws"]["refuted"] == []
    assert report["known_laws"]["verified"] == report["known_laws"]["stated"]
    if expected is None:
        pytest.skip(f"no formula for {name} {widths}: only the cross-checks above apply")
    assert report["laws"] == expected.laws, expected.argument


@pytest.mark.parametrize("name,widths,bias,options", CASES, ids=IDS)
def test_the_command_line_takes_every_option(name, widths, bias, options, capsys):
    argv = ["count", name, *map(str, widths)] + (["--bias"] if bias else [])
    for key, value in options:
        argv += [f"--{key}", *map(str, value)] if isinstance(value, tuple) else [f"--{key}={value}"]
    assert run(argv + ["--json"]) == 0
    assert f'"architecture": "{name}"' in capsys.readouterr().out


def test_unknown_names_and_options_are_refused():
    with pytest.raises(UnknownArchitectureError, match="did you mean 'leaky-relu'"):
        spec_of("leaky_relu")
    with pytest.raises(ShapeError, match="takes no option slope"):
        build_architecture("relu", [2, 2, 2], slope="1/2")
    with pytest.raises(ShapeError, match="rational"):
        build_architecture("leaky-relu", [2, 2, 2], slope=0.1)


def test_the_leaky_relu_count_jumps_at_slope_one():
    """The formula in the slope breaks at its edge: slope 1 is a linear network (r(r+1)/2 laws of V [U b]), every
    other slope the ReLU path lifting (r laws)."""
    counts = {s: count_laws(build_architecture("leaky-relu", [2, 3, 2], bias=True, slope=s))[2]["laws"]
              for s in ("0", "1/10", "1", "3", "-1/2")}
    assert counts == {"0": 3, "1/10": 3, "1": 6, "3": 3, "-1/2": 3}
    relu = count_laws(build_architecture("relu", [2, 3, 2], bias=True))[2]["laws"]
    assert counts["0"] == relu


NAMES = "|".join(re.escape(n) for n in SPECS)
#: where comparing with an architecture's name is the point: the registry itself, the checker (independent on
#: purpose), the theorems' own statements, which name the architectures they are about, and the strategies that
#: draw each paper's architectures at the edges of its hypotheses; and where the same words name something else:
#: resnet block kinds (algebra/deep.py), torch ops and law groups of real modules (verification/nn/)
ALLOWED = ("algebra/architectures/", "verification/checker/", "verification/catalogue/formulas.py",
           "verification/catalogue/papers/", "verification/testing/strategies.py", "algebra/deep.py",
           "verification/nn/")


def test_nothing_outside_the_registry_dispatches_on_an_architectures_name():
    pattern = re.compile(rf"""(==|!=|\bin\b)\s*\(?\s*["']({NAMES})["']|["']({NAMES})["']\s*(==|!=)""")
    bad = []
    for folder in ("algebra", "verification"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(ALLOWED):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line.split("#")[0]):
                    bad.append(f"{rel}:{number}: {line.strip()}")
    assert not bad, "dispatch on an architecture's name (look it up in the registry):\n" + "\n".join(bad)


def test_the_registry_is_the_only_list_of_architectures():
    """``ARCHITECTURES`` (the builder functions) names the same architectures as the registry."""
    from conslaw.algebra.architectures import ARCHITECTURES

    assert set(ARCHITECTURES) == set(SPECS)
    tree = ast.parse((ROOT / "algebra/architectures/registry.py").read_text())
    assert any(isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "SPECS" for n in tree.body)


@settings(max_examples=15, deadline=None)
@given(cst.architectures(kinds=["registered"], max_dim=40))
def test_the_registered_strategy_draws_every_registry_architecture(inst):
    """The strategy reads the registry: a new architecture is drawn with no edit to the strategies; its count is the
    registry's expected one wherever the spec has a formula."""
    expected = expected_law_count(inst)
    if expected is not None:
        _, _, report = count_laws(inst.build(), seed=1)
        assert report["laws"] == expected.laws


def test_old_module_paths_resolve_for_one_release():
    import importlib
    import warnings

    import conslaw.verification.nn.laws as new

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("conslaw.verification.module_laws")
    assert old is new and any("moved to conslaw.verification.nn.laws" in str(w.message) for w in caught)
    from conslaw.verification.moved import MOVED

    for name, target in MOVED.items():
        importlib.import_module(f"conslaw.verification.{target}")  # every new home exists
