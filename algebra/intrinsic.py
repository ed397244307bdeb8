"""Intrinsic dynamics: the kernel-inclusion criterion (Marcotte, Peyré, Gribonval 2025, "Intrinsic training
dynamics of deep neural networks").

Along the gradient flow θ̇ = −∂φ(θ)ᵀ∇ℓ(φ(θ)), the factor z = φ(θ) moves by ż = −M(θ)∇ℓ(z) with
M(θ) = ∂φ(θ)∂φ(θ)ᵀ.  The flow is *intrinsic* when M(θ) is a function of z = φ(θ) and of the initialisation,
i.e. of (φ(θ), h(θ)) for the conservation laws h (constant along the flow).  If M = K(φ, h) near θ then
∂M = ∂K ∘ ∂(φ, h), hence the necessary condition checked here, exactly over QQ at a rational point:

    ker [∂φ(θ); ∂h(θ)]  ⊂  ker ∂M(θ)        ⟺   rank [∂φ; ∂h; ∂M](θ) = rank [∂φ; ∂h](θ).

When it fails, a direction δ in the left kernel with ∂M(θ)δ ≠ 0 is the witness: moving along δ keeps z and
every law but changes the metric, so no intrinsic equation can hold near θ.  Holding at a point is necessary,
not sufficient; it is reported as such.

Two-layer linear nets φ = U₂U₁ (U₁: r × n, U₂: m × r, laws H = U₁U₁ᵀ − U₂ᵀU₂).  For r ≤ min(n, m) and θ of
full rank, ker ∂φ is {(BU₁, −U₂B)}, and along it dH = {S, P + Q} + [A, H] (B = S + A symmetric plus
antisymmetric, P = U₁U₁ᵀ, Q = U₂ᵀU₂), while M = (U₁ᵀU₁) ⊗ I + I ⊗ (U₂U₂ᵀ) moves iff S ≠ 0.  As P + Q ≻ 0,
{S, P + Q} = [H, A] has S = 0 for every A iff H commutes with every antisymmetric A, i.e. H = λI: the
criterion holds exactly at *relaxed balanced* points (λ = 0: balanced), as the paper states.  ReLU nets with
φ the path lifting: ker ∂φ is spanned by the neuron rescalings, which every law h_j = ‖in_j‖² − ‖out_j‖²
moves, so the kernel is {0} and the criterion holds at every generic point, for any initialisation.
"""
from __future__ import annotations

import math
import random
from typing import Optional, Sequence

import flint
from sympy import QQ, Matrix, Rational, eye, zeros

from .architectures.base import Architecture
from .errors import ShapeError
from .exact_rank import exact_rank, integer_row
from .fields import PolynomialVectorField


def metric_entries(arch: Architecture) -> list:
    """The entries M_kl = Σ_i ∂_iφ_k ∂_iφ_l, k ≤ l, of M(θ) = ∂φ(θ)∂φ(θ)ᵀ (polynomials)."""
    grads = [X.components for X in arch.generators()]
    zero = arch.space.ring.zero
    return [sum((a * b for a, b in zip(grads[k], grads[l])), zero)
            for k in range(len(grads)) for l in range(k, len(grads))]


def kernel_inclusion(arch: Architecture, point: Sequence, laws: Optional[Sequence] = None) -> dict:
    """The criterion ker[∂φ; ∂h] ⊂ ker ∂M at the rational ``point`` (module docstring), as plain data: whether it
    holds, the dimension of the kernel, the ranks, and on failure a witness direction δ (integer coordinates)
    with the entry of M it moves.  ``laws`` default to the degree-2 laws the engine finds for the gradient flow."""
    from .law_discovery import polynomial_laws

    if len(point) != arch.dim:
        raise ShapeError(f"the point has {len(point)} coordinates for {arch.dim} parameters")
    if laws is None:
        laws = polynomial_laws(arch.generators(), 2).laws
    space = arch.space
    rows_phi = [X.evaluate(point) for X in arch.generators()]
    rows_h = [PolynomialVectorField.gradient(space, h).evaluate(point) for h in laws]
    entries = metric_entries(arch)
    rows_m = [PolynomialVectorField.gradient(space, e).evaluate(point) for e in entries]
    fixed = rows_phi + rows_h
    rank_fixed = exact_rank(fixed)
    rank_all = exact_rank(fixed + rows_m)
    holds = rank_all == rank_fixed
    report = {"holds": holds, "D": arch.dim, "rank_dphi": exact_rank(rows_phi), "rank_dphi_dh": rank_fixed,
              "rank_with_dM": rank_all,
              "kernel_dim": arch.dim - rank_fixed, "laws": len(laws), "metric_entries": len(entries)}
    if not holds:
        report["witness"] = _witness(fixed, rows_m, arch.dim)
    return report


def _witness(fixed: list, rows_m: list, D: int) -> dict:
    """A null vector δ of ``fixed`` with some ∂M_kl·δ ≠ 0 (FLINT's exact null space of the integer rows)."""
    ints = [integer_row(r) for r in fixed if any(r)]
    if ints:
        basis, nullity = flint.fmpz_mat(ints).nullspace()
        vectors = [[int(basis[i, j]) for i in range(D)] for j in range(nullity)]
    else:
        vectors = [[int(i == j) for i in range(D)] for j in range(D)]
    for delta in vectors:
        for e, row in enumerate(rows_m):
            moved = sum(QQ(c) * QQ(x) for c, x in zip(row, delta))
            if moved:
                common = math.gcd(*delta)
                delta = [x // common for x in delta]
                return {"direction": [str(x) for x in delta], "metric_entry": e, "dM": str(moved / common)}
    raise AssertionError("the ranks say a kernel direction moves M, but none was found")  # pragma: no cover


def _cayley(size: int, rng: random.Random) -> Matrix:
    """A rational orthogonal matrix (I − A)(I + A)⁻¹ for a seeded rational antisymmetric A."""
    A = zeros(size, size)
    for i in range(size):
        for j in range(i + 1, size):
            A[i, j] = Rational(rng.randint(-5, 5), rng.randint(1, 5))
            A[j, i] = -A[i, j]
    return (eye(size) - A) * (eye(size) + A).inv()


def _random_matrix(rows: int, cols: int, rng: random.Random) -> Matrix:
    return Matrix(rows, cols, lambda i, j: Rational(rng.choice((-1, 1)) * rng.randint(1, 9), rng.randint(1, 9)))


def balanced_linear_point(widths: Sequence[int], relaxed: bool, seed: int = 0) -> list:
    """A seeded rational point of the two-layer linear net ``widths`` = (n, r, m) with U₁U₁ᵀ − U₂ᵀU₂ = λI:
    λ = 0 (balanced) or, with ``relaxed``, λ = ±1.  Built from a random U₂ as U₁ = [U₂ᵀ | I | 0]·O (or the other
    way round), O a rational orthogonal matrix (Cayley), which needs n ≥ m (+ r if relaxed) or m ≥ n (+ r)."""
    n, r, m = widths
    rng = random.Random(seed)
    extra = r if relaxed else 0
    if n >= m + extra:
        U2 = _random_matrix(m, r, rng)
        U1 = Matrix.hstack(U2.T, *([eye(r)] if relaxed else []), zeros(r, n - m - extra)) * _cayley(n, rng)
    elif m >= n + extra:
        U1 = _random_matrix(r, n, rng)
        U2 = _cayley(m, rng) * Matrix.vstack(U1.T, *([eye(r)] if relaxed else []), zeros(m - n - extra, r))
    else:
        raise ShapeError(f"a rational {'relaxed ' if relaxed else ''}balanced point is built here for n >= m"
                         f"{' + r' if relaxed else ''} or m >= n{' + r' if relaxed else ''}; got (n, r, m) = "
                         f"{tuple(widths)}")
    return [QQ(c.p, c.q) for c in list(U1) + list(U2)]  # row-major U1 then U2: the linear architecture's order


__all__ = ["balanced_linear_point", "kernel_inclusion", "metric_entries"]
