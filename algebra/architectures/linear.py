"""Deep linear networks x ↦ W_q ⋯ W_1 x (docs/THEORY.md §3).

Widths (n_0, …, n_q); layer l has ``U{l} ∈ R^{n_l × n_{l−1}}`` (parameters
``U{l}[i,j]``).  φ(θ) = W_q ⋯ W_1 (all n_q·n_0 entries).  Known laws, for
each hidden layer l = 1..q−1, the entries (a ≤ b) of

    U_l U_l^T − U_{l+1}^T U_{l+1}      (n_l × n_l, symmetric),

the two-layer case being U^T U − V^T V of Prop. 3.5 (Marcotte et al. 2023)
with U = U_1^T, V = U_2.
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..parameters import ParameterSpace, matrix_names
from .base import Architecture, check_widths, weight_matrix
from .spec import ArchitectureSpec, ArrayPhi, ExpectedCount, Options, split_flat


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
    desc = linear_describe(n, False, {})[0]
    return Architecture("linear", desc, space, phi, phi_labels, laws, labels, {"widths": n})


def linear_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """D = Σ n_l n_{l−1}; φ = U_q ⋯ U_1 has n_q n_0 components."""
    return sum(a * b for a, b in zip(widths, widths[1:])), widths[0] * widths[-1]


def linear_describe(widths: list[int], bias: bool, options: Options) -> tuple[str, list[str]]:
    return f"{len(widths) - 1}-layer linear network with widths {tuple(widths)}", []


def linear_names(widths: list[int], bias: bool, options: Options) -> list[str]:
    """U1, …, U_q, each row-major: the names in :func:`linear_array_phi`'s order."""
    n = check_widths(widths)
    return [x for l in range(1, len(n)) for x in matrix_names(f"U{l}", n[l], n[l - 1])]


def linear_array_phi(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """φ = U_q ⋯ U_1 for arrays; θ = (U_1, …, U_q) row-major."""
    n = check_widths(widths)
    shapes = [(n[l], n[l - 1]) for l in range(1, len(n))]

    def phi(theta):
        mats = split_flat(theta, shapes)
        product = mats[0]
        for U in mats[1:]:
            product = U @ product
        return [product]

    return phi


def linear_array_laws(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """U_l U_lᵀ − U_{l+1}ᵀ U_{l+1} (its upper triangle) for every hidden layer l, in :func:`linear_array_phi`'s
    layout."""
    n = check_widths(widths)
    shapes = [(n[l], n[l - 1]) for l in range(1, len(n))]

    def laws(theta):
        mats = split_flat(theta, shapes)
        out = []
        for A, B in zip(mats, mats[1:]):
            M = A @ A.T - B.T @ B
            out.append([M[i, j] for i in range(M.shape[0]) for j in range(i, M.shape[0])])  # upper triangle
        return out

    return laws


def two_layer_count(n: int, r: int, m: int) -> ExpectedCount:
    """Prop. 3.5 (linear): r(r+1)/2 laws when [U; V] has full rank, generically iff r ≤ n + m.  Beyond, the laws
    are the functions of Z ↦ ZᵀJZ (Z = [U; V], J = diag(I_n, −I_m)), whose image, the symmetric r×r matrices of
    rank ≤ k = n + m, has dimension r k − k(k − 1)/2."""
    if r <= n + m:
        return ExpectedCount(r * (r + 1) // 2, True, "r(r+1)/2 with r ≤ n + m (Prop. 3.5)")
    k = n + m
    return ExpectedCount(r * k - k * (k - 1) // 2, False,
                         f"r = {r} > n + m = {k}: [U; V] cannot have full rank; r k − k(k−1)/2 from the image of "
                         "Z ↦ ZᵀJZ (independent argument)")


def linear_expected_count(widths: list[int], bias: bool, options: Options) -> Optional[ExpectedCount]:
    """Two layers: :func:`two_layer_count`; deeper: no closed form here (None)."""
    return two_layer_count(*widths) if len(widths) == 3 else None


SPEC = ArchitectureSpec(
    "linear", "The q-layer linear network with the given widths (n_0 = input, n_q = output).",
    build=lambda widths, bias, options: linear_network(widths), sizes=linear_sizes, array_phi=linear_array_phi,
    array_laws=linear_array_laws, names_of=linear_names,
    expected_count=linear_expected_count, describe=linear_describe,
    examples=(((2, 3, 2), False, ()), ((1, 1, 1), False, ()), ((2, 2, 3, 1), False, ())),
)
