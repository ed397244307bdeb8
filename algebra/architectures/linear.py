"""Deep linear networks x ↦ W_q ⋯ W_1 x (docs/THEORY.md §3).

Widths (n_0, …, n_q); layer l has ``U{l} ∈ R^{n_l × n_{l−1}}`` (parameters
``U{l}[i,j]``).  φ(θ) = W_q ⋯ W_1 (all n_q·n_0 entries).  Known laws, for
each hidden layer l = 1..q−1, the entries (a ≤ b) of

    U_l U_l^T − U_{l+1}^T U_{l+1}      (n_l × n_l, symmetric),

the two-layer case being U^T U − V^T V of Prop. 3.5 (Marcotte et al. 2023)
with U = U_1^T, V = U_2.
"""
from __future__ import annotations

from typing import Sequence

from ..parameters import ParameterSpace, matrix_names
from .base import Architecture, check_widths, weight_matrix


def _matmul(a, b, zero):
    return [[sum((a[i][k] * b[k][j] for k in range(len(b))), zero) for j in range(len(b[0]))] for i in range(len(a))]


def linear_network(widths: Sequence[int]) -> Architecture:
    """The q-layer linear network with the given widths (n_0 = input, n_q = output)."""
    n = check_widths(widths)
    q = len(n) - 1
    names = [nm for l in range(1, q + 1) for nm in matrix_names(f"U{l}", n[l], n[l - 1])]
    space = ParameterSpace(names)
    zero = space.ring.zero
    mats = [weight_matrix(space, f"U{l}", n[l], n[l - 1]) for l in range(1, q + 1)]
    prod = mats[0]
    for m in mats[1:]:
        prod = _matmul(m, prod, zero)
    phi = [prod[i][j] for i in range(n[q]) for j in range(n[0])]
    phi_labels = [f"(U{q}...U1)[{i},{j}]" for i in range(n[q]) for j in range(n[0])]
    laws, labels = [], []
    for l in range(1, q):
        a, b = mats[l - 1], mats[l]  # U_l (n_l × n_{l-1}), U_{l+1} (n_{l+1} × n_l)
        for i in range(n[l]):
            for j in range(i, n[l]):
                left = sum((a[i][k] * a[j][k] for k in range(n[l - 1])), zero)
                right = sum((b[k][i] * b[k][j] for k in range(n[l + 1])), zero)
                laws.append(left - right)
                labels.append(f"(U{l} U{l}^T - U{l + 1}^T U{l + 1})[{i},{j}]")
    desc = f"{q}-layer linear network with widths {tuple(n)}"
    return Architecture("linear", desc, space, phi, phi_labels, laws, labels, {"widths": n})
