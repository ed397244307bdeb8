"""The certificate of a count proven by the modular route (issue 24, item 1), for ``conslaw check``.

It holds what the checker needs to redo the proof with its own code and nothing it could take on trust:

* the architecture (name and sizes): the checker rebuilds φ itself, and names φ's components in the canonical
  order of :func:`~.poly_table.canonical_positions` (by smallest monomial);
* the integer point θ and the prime p;
* the stated laws, as integer-coefficient terms: the checker verifies ⟨∇h_i, ∇φ_k⟩ ≡ 0 over the integers for
  every law and component, and that their gradients at θ have full rank mod p;
* the rows whose rank mod p bounds dim Lie(V_φ)(θ) from below, as *definitions*, not values: level 0, sums
  Σ c_k ∇φ_k; level 1, brackets [∇(a·φ), ∇(b·φ)] of two sparse combinations; level 2 (deeper nets),
  [∇(a·φ), [∇(b·φ), ∇(c·φ)]]; the checker evaluates them at θ;
* the claimed ranks and the verdict (proven: rank + laws = D).

The file is compact JSON (no indentation): at relu 50 50 50 it holds 125,000 (component, coefficient) pairs.
"""
from __future__ import annotations

import json

import flint
import numpy as np

from .certificate import verdict_for
from .modular_blocks import restrict
from .modular_rank import ModularRank, gradient_values_mod
from .poly_table import PolynomialTable, canonical_positions

MODULAR_FORMAT = "conslaw-modular-certificate"
MODULAR_VERSION = 1


def _law_records(laws: PolynomialTable) -> list[dict]:
    """Each law as ``{"terms": [["c", [[index, exponent], ...]], ...]}`` (integer coefficients)."""
    records: list[list] = [[] for _ in range(laws.K)]
    for k, c, row in zip(laws.comp.tolist(), laws.coef.tolist(), laws.var.tolist()):
        powers: dict[int, int] = {}
        for v in row:
            if v >= 0:
                powers[v] = powers.get(v, 0) + 1
        records[k].append([str(c), [[v, e] for v, e in sorted(powers.items())]])
    return [{"terms": sorted(terms, key=lambda t: t[1])} for terms in records]


def independent_laws(laws: PolynomialTable, point: np.ndarray, p: int) -> PolynomialTable:
    """The laws whose gradients at the point are independent mod p (the pivots of the transposed gradient
    matrix): the certificate claims full rank for the laws it stores."""
    grads = gradient_values_mod(laws, point, p)  # K × D; its transpose's pivot columns are independent laws
    rref, rank = flint.nmod_mat(grads.T.tolist(), p).rref()
    pivots, row = [], 0
    for col in range(laws.K):
        if row < rank and int(rref[row, col]) != 0:
            pivots.append(col)
            row += 1
    return restrict(laws, np.arange(laws.D), np.array(pivots, dtype=np.int64))


def _pairs(comps: np.ndarray, weights: np.ndarray, position: np.ndarray) -> list[list[int]]:
    return [[int(position[k]), int(w)] for k, w in zip(comps.tolist(), weights.tolist())]


def modular_certificate(phi: PolynomialTable, laws: PolynomialTable, bound: ModularRank, architecture: dict) -> dict:
    """The certificate (module docstring) of a modular count: ``laws`` independent at the bound's point."""
    position = canonical_positions(phi)
    bucket, coef, rows0 = bound.level0
    order = np.argsort(bucket, kind="stable")
    cuts = np.searchsorted(bucket[order], np.arange(rows0 + 1))
    combinations = [_pairs(order[cuts[r]:cuts[r + 1]], coef[order[cuts[r]:cuts[r + 1]]], position)
                    for r in range(rows0) if cuts[r + 1] > cuts[r]]
    brackets = [[_pairs(ca[b], wa[b], position), _pairs(cb[b], wb[b], position)]
                for ca, wa, cb, wb in bound.bracket_draws for b in range(ca.shape[0])]
    deeper = [[_pairs(ca[b], wa[b], position), _pairs(cb[b], wb[b], position), _pairs(cc[b], wc[b], position)]
              for ca, wa, cb, wb, cc, wc in bound.level2_draws for b in range(ca.shape[0])]
    D = phi.D
    return {
        "format": MODULAR_FORMAT,
        "version": MODULAR_VERSION,
        "architecture": architecture,
        "D": D,
        "components": phi.K,
        "component_order": "by smallest monomial",
        "prime": bound.prime,
        "point": bound.point,
        "laws": _law_records(laws),
        "law_rank": laws.K,
        "rows": {"combinations": combinations, "brackets": brackets, "brackets2": deeper},
        "rank": bound.rank,
        "verdict": verdict_for(D, bound.rank, laws.K),
    }


def modular_certificate_text(cert: dict) -> str:
    """Compact JSON: the rows are long lists of small integers."""
    return json.dumps(cert, separators=(",", ":")) + "\n"


__all__ = ["MODULAR_FORMAT", "MODULAR_VERSION", "independent_laws", "modular_certificate", "modular_certificate_text"]
