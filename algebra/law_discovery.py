"""All polynomial conservation laws of degree ≤ k (Marcotte et al. 2023, second algorithm).

A polynomial P = Σ_α a_α θ^α is conserved by the fields X_1..X_d iff
⟨∇P, X_j⟩ ≡ 0 for every j (docs/THEORY.md §2); this is linear in the unknowns
a_α and the laws of degree ≤ k form the null space of that system.

Default path ("exact"): the coefficient system — for each generator X_k and
monomial β, the coefficient of θ^β in Σ_α a_α ⟨∇θ^α, X_k⟩ — is sparse and
splits into blocks with disjoint unknowns (union–find); each block's null
space is computed over QQ by FLINT.

Second path ("sampled"), an independent cross-check: evaluate the
identities at seeded random points modulo the prime p (one FLINT matrix
product per point), take the null space mod p in reduced echelon form, lift
each entry to QQ by rational reconstruction and verify every law exactly.
The sampled equations are combinations of the exact ones, so the null space
mod p is at least as large as the true one; when all its lifted vectors
verify, the basis is exactly complete.  If a lift fails to verify, the
system is resampled with twice as many equations.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from math import gcd, lcm
from typing import Sequence

import flint
from sympy import QQ
from sympy.polys.rings import PolyElement

from .errors import ShapeError
from .evaluation import evaluate_stacked
from .fields import PolynomialVectorField
from .laws import violations
from .modular import PRIME
from .monomials import Monomial, gradient_mod, monomials, to_dense
from .parameters import ParameterSpace
from .reconstruction import reconstruct_vector


@dataclass
class LawBasis:
    """A basis of the polynomial laws of degree ≤ k (or exactly k), with integer coefficients."""

    space: ParameterSpace
    degree: int
    homogeneous: bool
    laws: list[PolyElement]
    unknowns: int
    equations: int
    method: str
    seconds: float

    def __len__(self) -> int:
        return len(self.laws)


def _primitive(values: Sequence) -> list:
    """Scale a rational vector to coprime integers with a positive first nonzero entry."""
    nz = [v for v in values if v]
    den = lcm(*(int(v.denominator) for v in nz))
    num = gcd(*(int(v.numerator) * (den // int(v.denominator)) for v in nz))
    f = QQ(den, num) if nz[0] > 0 else QQ(-den, num)
    return [v * f for v in values]


def _to_poly(space: ParameterSpace, mons: Sequence[Monomial], coeffs: Sequence) -> PolyElement:
    D = space.dim
    return space.ring.from_dict({to_dense(m, D): c for m, c in zip(mons, coeffs) if c})


def _rref_rows(rows: list[list[int]], p: int) -> list[list[int]]:
    mat, rank = flint.nmod_mat(rows, p).rref()
    return [[int(v) for v in r] for r in mat.tolist()[:rank]]


def _sampled_nullspace(gens, mons, n_rows: int, rng: random.Random, p: int):
    """Reduced echelon basis (mod p) of the laws' coefficient vectors, from sampled identities.

    At each random point θ_s the equations Σ_α a_α ⟨∇θ^α, X⟩(θ_s) = 0 for X in
    the span of the generators are spanned by r_s ≤ D of them; r_s random
    combinations of the generators' values are used, and points are added
    until ``n_rows`` equations are reached.
    """
    D = gens[0].dim
    rows: list[list[int]] = []
    while len(rows) < n_rows:
        pt = [rng.randrange(1, p) for _ in range(D)]
        vals = [evaluate_stacked(g, [pt], p).value for g in gens]
        V = flint.nmod_mat([[v.get(j, 0) for v in vals] for j in range(D)], p)  # D × gens
        r = V.rank()
        if r == 0:
            break
        R = flint.nmod_mat([[rng.randrange(p) for _ in range(r)] for _ in gens], p)  # gens × r
        grads = [[0] * D for _ in mons]  # monomials × D
        for a, m in enumerate(mons):
            for j, d in gradient_mod(m, pt, p):
                grads[a][j] = d
        rows.extend((flint.nmod_mat(grads, p) * (V * R)).transpose().tolist())
    if not rows:
        return [[int(i == a) for i in range(len(mons))] for a in range(len(mons))], 0
    basis, nullity = flint.nmod_mat(rows, p).nullspace()
    cols = basis.tolist()
    vectors = [[int(cols[a][t]) for a in range(len(mons))] for t in range(nullity)]
    return (_rref_rows(vectors, p) if vectors else []), len(rows)


def _flat(monom) -> tuple[int, ...]:
    """A sparse-exponent monomial ``((j, e), …)`` as its sorted variables with repetition: ``((0, 2), (3, 1))`` →
    ``(0, 0, 3)``; products of monomials are then merges of short tuples, the fastest key to build."""
    return tuple(j for j, e in monom for _ in range(e))


def _coefficient_system(gens, mons) -> dict[tuple, dict[int, object]]:
    """Rows of the exact system: (generator k, monomial β) ↦ {α: coefficient of θ^β in ⟨∇θ^α, X_k⟩}.

    ∂_j θ^α = e_j θ^{α − 1_j}: for each unknown α and each variable j in it, (α, e_j, α − 1_j) is stored once; a
    generator's component X_{k,j} = Σ c θ^γ then adds e_j c to the row of (k, α − 1_j + γ), α − 1_j + γ keyed by
    its sorted variables."""
    by_var: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
    for a, m in enumerate(mons):
        flat = _flat(m)
        for j, e in m:
            i = flat.index(j)
            by_var.setdefault(j, []).append((a, e, flat[:i] + flat[i + 1:]))
    rows: dict[tuple, dict[int, object]] = {}
    for k, g in enumerate(gens):
        for j, terms in g.sparse:
            entries = by_var.get(j)
            if not entries:
                continue
            flat_terms = [(c, _flat(monom)) for c, monom in terms]
            for a, e, rest in entries:
                for c, t in flat_terms:
                    key = (k, tuple(sorted(rest + t)))
                    row = rows.get(key)
                    if row is None:
                        rows[key] = row = {}
                    row[a] = row.get(a, 0) + e * c
    return rows


def _components(n_cols: int, rows) -> list[tuple[list[int], list[dict]]]:
    """Split the system into blocks with disjoint unknowns (union–find over the columns)."""
    parent = list(range(n_cols))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    live = [r for r in rows.values() if any(r.values())]
    for r in live:
        cols = iter(r)
        first = find(next(cols))
        for c in cols:
            rc = find(c)
            if rc != first:
                parent[rc] = first
    blocks: dict[int, tuple[list[int], list[dict]]] = {}
    for c in range(n_cols):
        blocks.setdefault(find(c), ([], []))[0].append(c)
    for r in live:
        blocks[find(next(iter(r)))][1].append(r)
    return list(blocks.values())


def _fmpq(v):
    return flint.fmpq(int(v.numerator), int(v.denominator))


def _exact_nullspace(gens, mons):
    """Null space over QQ of the exact coefficient system, block by block (reduced echelon rows)."""
    rows = _coefficient_system(gens, mons)
    vectors = []
    for cols, block_rows in _components(len(mons), rows):
        if len(cols) == 1 and block_rows:  # one unknown in a nonzero equation: it is 0
            continue
        pos = {c: i for i, c in enumerate(cols)}
        if block_rows:
            mat = flint.fmpq_mat(len(block_rows), len(cols))
            for r, row in enumerate(block_rows):
                for c, v in row.items():
                    mat[r, pos[c]] = _fmpq(v)
            basis, nullity = _fmpq_nullspace(mat)
        else:
            basis, nullity = None, len(cols)
        if nullity == 0:
            continue
        if basis is None:
            block = [[flint.fmpq(int(i == t)) for i in range(len(cols))] for t in range(len(cols))]
        else:
            bl = basis.tolist()
            block = [[bl[i][t] for i in range(len(cols))] for t in range(nullity)]
        echelon = flint.fmpq_mat(block).rref()[0].tolist()
        for row in echelon:
            v = [QQ(0)] * len(mons)
            for i, x in enumerate(row):
                if x != 0:
                    v[cols[i]] = QQ(int(x.p), int(x.q))
            vectors.append(v)
    vectors.sort(key=lambda v: next(i for i, x in enumerate(v) if x))
    return vectors, len(rows)


def _fmpq_nullspace(mat):
    """Null space of an fmpq_mat via its reduced echelon form: (columns matrix, nullity)."""
    rref, rank = mat.rref()
    rl = rref.tolist()
    n = mat.ncols()
    pivots = [next(c for c in range(n) if rl[r][c] != 0) for r in range(rank)]
    free = [c for c in range(n) if c not in set(pivots)]
    cols = [[flint.fmpq(0)] * len(free) for _ in range(n)]
    for t, f in enumerate(free):
        cols[f][t] = flint.fmpq(1)
        for r, pc in enumerate(pivots):
            cols[pc][t] = -rl[r][f]
    return flint.fmpq_mat(cols) if free else None, len(free)


def _cost(vec: dict[int, object], mons: Sequence[Monomial]) -> tuple[int, int]:
    """(number of monomials, number of parameters) a law involves."""
    return len(vec), len({j for a in vec for j, _ in mons[a]})


def sparsify(vectors: Sequence[Sequence], mons: Sequence[Monomial]) -> list[list]:
    """Make each law as short as possible: fewest monomials, then fewest parameters.

    Repeatedly replaces v_i by v_i + c·v_j when that lowers (monomials,
    parameters) of v_i, c chosen to cancel a shared monomial.  The span is
    unchanged (elementary operations) and the cost strictly decreases, so it
    terminates.  On the ReLU nets this undoes the echelon form's mixtures of
    neighbouring neurons' laws (one law per neuron, as in the paper).
    """
    vecs = [{a: v for a, v in enumerate(vec) if v} for vec in vectors]
    improved = True
    while improved:
        improved = False
        for i, vi in enumerate(vecs):
            best, best_cost = None, _cost(vi, mons)
            for j, vj in enumerate(vecs):
                if i == j:
                    continue
                for m in vi.keys() & vj.keys():
                    c = -vi[m] / vj[m]
                    cand = dict(vi)
                    for a, x in vj.items():
                        y = cand.get(a, 0) + c * x
                        if y:
                            cand[a] = y
                        else:
                            cand.pop(a, None)
                    cost = _cost(cand, mons)
                    if cost < best_cost:
                        best, best_cost = cand, cost
            if best is not None:
                vecs[i] = best
                improved = True
    out = [[vec.get(a, QQ(0)) for a in range(len(mons))] for vec in vecs]
    out.sort(key=lambda v: next(a for a, x in enumerate(v) if x))
    return out


def polynomial_laws(
    generators: Sequence[PolynomialVectorField],
    degree: int = 2,
    *,
    homogeneous: bool = False,
    method: str = "exact",
    seed: int = 0,
    max_attempts: int = 3,
) -> LawBasis:
    """A basis of the conservation laws that are polynomials of degree ≤ ``degree``.

    Constants are excluded (they are trivially conserved).  ``homogeneous``
    restricts to polynomials homogeneous of exactly ``degree``.  ``method``:

    * ``"exact"`` (default): the coefficient system over QQ, split into blocks
      with disjoint unknowns, each block's null space by FLINT;
    * ``"sampled"``: identities sampled at seeded random points mod p, lifted
      by rational reconstruction and verified exactly (an independent path).

    The basis starts in reduced echelon form over the monomials in parameter
    order, is then :func:`sparsify`-ed (each law as short as possible:
    fewest monomials, then parameters), each law scaled to coprime integers
    with a positive leading coefficient, and sorted by its first monomial.
    """
    t0 = time.perf_counter()
    if not generators:
        raise ShapeError("no generators given")
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
        raise ShapeError(f"degree must be an integer ≥ 1, got {degree!r}")
    if method not in ("exact", "sampled"):
        raise ShapeError(f"method must be 'exact' or 'sampled', got {method!r}")
    space = generators[0].space
    mons = monomials(space.dim, degree, homogeneous)
    if method == "exact":
        vectors, n_eq = _exact_nullspace(list(generators), mons)
        laws = [_to_poly(space, mons, _primitive(v)) for v in sparsify(vectors, mons)]
        return LawBasis(space, degree, homogeneous, laws, len(mons), n_eq, "exact coefficient system over QQ",
                        time.perf_counter() - t0)
    p = PRIME
    rng = random.Random(seed)
    n_rows = len(mons) + 8
    for _ in range(max_attempts):
        rows, n_eq = _sampled_nullspace(list(generators), mons, n_rows, rng, p)
        lifted = [reconstruct_vector(r, p) for r in rows]
        if all(v is not None for v in lifted):
            laws = [_to_poly(space, mons, _primitive(v)) for v in sparsify(lifted, mons)]
            if not violations(laws, generators):
                return LawBasis(space, degree, homogeneous, laws, len(mons), n_eq,
                                "sampled mod p, lifted and verified exactly", time.perf_counter() - t0)
        n_rows *= 2
    raise ShapeError(f"the sampled law basis did not verify after {max_attempts} attempts; use method='exact'")
