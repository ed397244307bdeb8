"""Small certificates that ask the checker for a lot of work (issue "The kernel in the loop", item 2).

Each builder returns a JSON-ready dict.  Before the work budget these kept ``conslaw check`` busy for 3 s (many
φ entries), 10 s (dense laws) and over 57 s (the other three); now each is refused (exit 2) or rejected in under
a second.  Used by ``tests/test_checker_budget.py`` and
``benchmarks/checker_limits.py``.
"""
from __future__ import annotations

import random

from conslaw.verification.checker import expected_parameters


def _record(terms: list) -> dict:
    return {"terms": terms}


def _base(arch: dict, names: list[str]) -> dict:
    return {
        "format": "conslaw-certificate", "version": 2, "architecture": arch, "parameters": names,
        "D": len(names), "point": ["1"] * len(names), "generators": {"phi": []}, "laws": [],
        "rank_witness": {"rank": 0, "brackets": []},
        "verdict": {"status": "bounded", "lower": 0, "upper": len(names), "text": ""},
    }


def _relu_phi(widths: list[int], names: list[str]) -> list[dict]:
    """φ of a bias-free ReLU net: one monomial per input → output path."""
    index = {n: i for i, n in enumerate(names)}
    paths = [[[]] for _ in range(widths[0])]
    for l in range(1, len(widths)):
        paths = [[p + [index[f"U{l}[{i},{j}]"]] for j in range(widths[l - 1]) for p in paths[j]]
                 for i in range(widths[l])]
    return [_record([["1", [[k, 1] for k in sorted(p)]]]) for out in paths for p in out]


def dense_laws(n_laws: int = 40, digits: int = 40, degree: int = 2, seed: int = 0) -> dict:
    """A ReLU [3, 2, 3] certificate (with its true φ) claiming 40 dense laws with 40-digit coefficients: each a
    polynomial of degree ``degree`` in the two true laws h_1, h_2 (so every one is conserved and the identity
    check has to expand them all; they are not independent, which is found only afterwards)."""
    import sympy

    rng = random.Random(seed)
    arch = {"name": "relu", "widths": [3, 2, 3], "bias": False}
    names = expected_parameters(arch)
    cert = _base(arch, names)
    cert["generators"]["phi"] = _relu_phi([3, 2, 3], names)
    x = sympy.symbols(f"x0:{len(names)}")
    index = {n: i for i, n in enumerate(names)}

    def h(j: int):  # ‖incoming weights of hidden neuron j‖² − ‖outgoing weights‖²
        return sum(x[index[f"U1[{j},{c}]"]] ** 2 for c in range(3)) - sum(x[index[f"U2[{k},{j}]"]] ** 2 for k in range(3))

    def coefficient():
        return sympy.Rational(rng.randrange(10 ** (digits - 1), 10 ** digits), rng.randrange(10 ** (digits - 1), 10 ** digits))

    laws = []
    for _ in range(n_laws):
        law = sympy.Poly(sum(coefficient() * h(0) ** a * h(1) ** b for a in range(degree + 1)
                             for b in range(degree + 1 - a) if a + b), *x)
        laws.append(_record([[str(c), [[k, e] for k, e in enumerate(m) if e]] for m, c in law.terms()]))
    cert["laws"] = laws
    return cert


def many_phi(n_phi: int = 20_000, n_laws: int = 400) -> dict:
    """20,000 φ entries (not the architecture's) and 400 laws: checking must stop where φ fails to match."""
    arch = {"name": "relu", "widths": [3, 2, 3], "bias": False}
    names = expected_parameters(arch)
    cert = _base(arch, names)
    cert["generators"]["phi"] = [_record([["1", [[k % len(names), 1], [(k + 1) % len(names), 2]]]])
                                 for k in range(n_phi)]
    cert["laws"] = [_record([["1", [[i % len(names), 2]]], ["-1", [[(i + 3) % len(names), 2]]]])
                    for i in range(n_laws)]
    return cert


def intrinsic_claim(widths: tuple[int, ...] = (20, 10, 20)) -> dict:
    """An intrinsic-dynamics claim on a ReLU net with 4,000 φ entries (its M has 8 million entries)."""
    arch = {"name": "relu", "widths": list(widths), "bias": False}
    names = expected_parameters(arch)
    cert = _base(arch, names)
    cert["generators"]["phi"] = _relu_phi(list(widths), names)
    cert["intrinsic"] = {"holds": True, "rank_dphi_dh": 0, "rank_with_dM": 0}
    return cert


def deep_sign_flow(depth: int = 7, width: int = 4) -> dict:
    """A 1.8 KB sign-flow certificate naming ReLU [4] * 7 (16,384 paths of degree 6)."""
    arch = {"name": "relu", "widths": [width] * depth, "bias": False}
    names = expected_parameters(arch)
    return {"format": "conslaw-sign-flow-certificate", "version": 1, "architecture": arch, "parameters": names,
            "point": ["1"] * len(names), "w": [], "patterns": [], "rank": 0, "laws": [],
            "verdict": {"status": "bounded", "upper": len(names)}}


def lightning_so2(tokens: int = 2, d: int = 3, k: int = 3) -> dict:
    """A 1 KB data-symmetry certificate naming lightning attention at its largest allowed sizes under SO(2)."""
    arch = {"name": "augmented-lightning-attention", "tokens": tokens, "d": d, "k": k, "group": "so2"}
    names = [f"Q[{i},{j}]" for i in range(d) for j in range(k)] + [f"K[{i},{j}]" for i in range(d) for j in range(k)]
    names += [f"v[{i}]" for i in range(d)]
    cert = _base(arch, names)
    cert["flow"] = {"kind": "data-symmetry", "loss": "square", "augmented": True}
    cert["generators"] = {"phi": [], "fields": []}
    return cert


HOSTILE = {
    "dense-laws": dense_laws,
    "many-phi": many_phi,
    "intrinsic-4000": intrinsic_claim,
    "sign-flow-relu-4x7": deep_sign_flow,
    "lightning-so2": lightning_so2,
}
