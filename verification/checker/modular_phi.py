"""The modular checker's own φ: term arrays built from the architecture by index arithmetic, independent of the
producer's ``array_phi`` read through :class:`~conslaw.verification.proofs.poly_table.MonomialSum`.

A φ is ``(comp, coef, var)``: term t belongs to component ``comp[t]``, has integer coefficient ``coef[t]`` and the
variables ``var[t]`` in ascending order, padded with −1 at the end.  The parameters are laid out as in
:func:`.phi.expected_parameters` (layer by layer, each matrix row-major; attention Q, K, V, O per head).  The
components are then renumbered in the certificate's canonical order (:func:`canonical_order`).
"""
from __future__ import annotations

import numpy as np

from .reading import CertificateFormatError


def _paths(widths: list[int], offsets: list[int], start_layer: int, start_var: np.ndarray | None):
    """Every path from layer ``start_layer − 1``'s units (or the given bias variables, one per unit of layer
    ``start_layer − 1``) to the last layer: (variables (P, steps), the last unit of each path, its first unit)."""
    q = len(widths) - 1
    shape = [widths[start_layer - 1]] + [widths[l] for l in range(start_layer, q + 1)]
    index = np.indices(shape).reshape(len(shape), -1)
    cols = [] if start_var is None else [start_var[index[0]]]
    for step, l in enumerate(range(start_layer, q + 1)):
        cols.append(offsets[l] + index[step + 1] * widths[l - 1] + index[step])  # U_l[j_l, j_{l−1}]
    return np.stack(cols, axis=1), index[-1], index[0]


def _layered(widths: list[int], bias: bool, family: str):
    """relu: one component per path (input or hidden bias → output), the product of its weights; linear: the
    entries of U_q ⋯ U_1, each the sum of the paths between an input and an output."""
    q = len(widths) - 1
    offsets, bias_at, at = [0] * (q + 1), {}, 0
    for l in range(1, q + 1):
        offsets[l] = at
        at += widths[l] * widths[l - 1]
        if bias and l < q:
            bias_at[l] = at
            at += widths[l]
    var, last, first = _paths(widths, offsets, 1, None)
    if family == "linear":
        comp = last * widths[0] + first
        blocks = [(comp, var)]
    else:
        blocks = [(np.arange(len(var)), var)]
    for l, b in bias_at.items():  # relu only: a hidden bias b_l[i] starts paths through layers l+1 … q
        bvar, _, _ = _paths(widths, offsets, l + 1, b + np.arange(widths[l]))
        blocks.append((blocks[-1][0].max(initial=-1) + 1 + np.arange(len(bvar)), bvar))
    width = max(v.shape[1] for _, v in blocks)
    comp = np.concatenate([c for c, _ in blocks])
    var = np.concatenate([np.pad(v, ((0, 0), (0, width - v.shape[1])), constant_values=-1) for _, v in blocks])
    return at, comp, var


def _attention(d: int, dk: int, dv: int, heads: int):
    """(Q_h K_hᵀ)_{ab} = Σ_c Q[a, c] K[b, c] and (V_h O_hᵀ)_{ab} likewise, per head."""
    comps, vars_, at, base = [], [], 0, 0
    for _ in range(heads):
        for inner in (dk, dv):
            left, right = at, at + d * inner
            a, b, c = np.indices((d, d, inner)).reshape(3, -1)
            comps.append(base + a * d + b)
            vars_.append(np.stack([left + a * inner + c, right + b * inner + c], axis=1))
            at, base = right + d * inner, base + d * d
    return at, np.concatenate(comps), np.concatenate(vars_)


def modular_phi(family: str, sizes: dict) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(D, comp, coef, var) of the architecture's φ (module docstring); only relu, linear and attention."""
    if sizes.get("residual") and family in ("relu", "linear") and sizes["widths"][0] != sizes["widths"][-1]:
        raise CertificateFormatError("a residual block x + g(x) needs equal input and output sizes")
    # a residual block has the φ of its g (Prop. 3.2: the skip connection does not depend on θ)
    if family in ("relu", "linear"):
        D, comp, var = _layered(sizes["widths"], sizes["bias"], family)
    elif family == "attention":
        D, comp, var = _attention(sizes["d"], sizes["dk"], sizes["dv"], sizes["heads"])
    else:
        raise CertificateFormatError(f"modular certificates are checked for relu, linear and attention, not {family}")
    padded = np.where(var < 0, np.iinfo(np.int64).max, var)
    var = np.sort(padded, axis=1)
    var[var == np.iinfo(np.int64).max] = -1
    return D, comp.astype(np.int64), np.ones(len(comp), dtype=np.int64), var.astype(np.int64)


def canonical_order(comp: np.ndarray, var: np.ndarray, K: int) -> np.ndarray:
    """New index of each component when ordered by its smallest monomial (ascending variables, tuples compared
    with a shorter one first); a tie between two components is refused."""
    best: dict = {}
    keys = np.lexsort(tuple(var[:, c] for c in range(var.shape[1] - 1, -1, -1)))
    for t in keys.tolist():  # terms in increasing monomial order: a component's first is its smallest
        best.setdefault(int(comp[t]), t)
    if len(best) != K:
        raise CertificateFormatError("a component of phi has no terms")
    firsts = list(best.items())  # in increasing order of smallest monomial
    new = np.empty(K, dtype=np.int64)
    for position, (k, t) in enumerate(firsts):
        if position and np.array_equal(var[t], var[firsts[position - 1][1]]):
            raise CertificateFormatError("two components of phi share their smallest monomial: no canonical order")
        new[k] = position
    return new
