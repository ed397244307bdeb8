"""All polynomial laws of degree ≤ 2 at the numeric scale (issue 24, item 2), block by block and by sign
characters, with sampled equations mod p, rational reconstruction and exact verification.

A polynomial P is a law iff ⟨∇P, ∇φ_k⟩ ≡ 0 for every k: linear equations in P's coefficients.  Instead of one
system in the D(D+3)/2 coefficients of a degree-2 polynomial, three exact reductions split it:

* **blocks** (:mod:`.modular_blocks`): Lie(V_φ) = ⊕_b Lie(V_{φ_b}); a law's part on one block is a law of that
  block, and its mixed part Σ y_j c_j(x) (x on block A, y on B) has every c_j a homogeneous linear law of A,
  and symmetrically, so the mixed laws are the products of linear laws of two blocks;
* **sign characters**: a flip θ_i ↦ ±θ_i of some coordinates under which every component of φ is even or odd
  (all its terms have the same parity in the flipped coordinates) is orthogonal and maps V_φ onto itself, so it
  maps laws to laws; the laws then split along the characters of the group G of such flips, and a monomial's
  character is the sum of its odd variables' characters.  G is the null space over GF(2) of the parity
  differences between the terms of each component, checked exactly on every component once computed.  Monomials
  are grouped by a random linear 64-bit hash of their character: a collision only merges two groups, which is
  still a valid splitting (a union of character spaces);
* **sampling**: within a group of s monomials, s + margin random equations (the values ⟨∇θ^α, X⟩(θ) at seeded
  random integer points θ for random combinations X of the ∇φ_k) are combinations of the exact ones, so the null
  space mod p of the sampled system contains the reduction of every law: full column rank mod p proves there is
  no law in the group.  Otherwise each vector of that null space (in reduced echelon form) is lifted by rational
  reconstruction and **verified exactly** as an identity over the integers; when every lifted vector verifies,
  the group's laws are exactly those (a complete basis), else the group is resampled with more equations.

Where φ has no sign flips and a single block, the method is the plain sampled null space of all monomials.
"""
from __future__ import annotations

import time
from fractions import Fraction
from math import gcd, lcm

import flint
import numpy as np

from conslaw.algebra.reconstruction import rational_reconstruction

from .modular_blocks import component_blocks, restrict, variable_blocks
from .modular_rank import POINT_BOUND, SCREEN_PRIME
from .poly_table import MonomialSum, PolynomialTable, jacobian_entries_mod, product_vanishes

MARGIN = 3            # sampled equations beyond a group's size
SMALL_GROUP = 12      # groups up to this size are ranked together, in numpy; larger ones one by one, in FLINT
RESAMPLE_ROUNDS = 3


# ---------------------------------------------------------------- sign characters
def _odd_variables(var: np.ndarray) -> list[np.ndarray]:
    """Per term, the variables of odd multiplicity (var rows ascending, −1 padded)."""
    out = []
    for row in var:
        v = row[row >= 0]
        values, counts = np.unique(v, return_counts=True)
        out.append(values[counts % 2 == 1])
    return out


def character_hashes(table: PolynomialTable, seed: int = 0) -> tuple[np.ndarray, int]:
    """A 64-bit hash of each coordinate's sign character (module docstring), and the dimension of G over GF(2).
    The hash of a monomial's character is the XOR of its odd variables' hashes."""
    D = table.D
    rng = np.random.default_rng([seed, D, 7])
    odd = _odd_variables(table.var) if table.degree else [np.zeros(0, dtype=np.int64)] * len(table.comp)
    first: dict[int, np.ndarray] = {}
    constraints: list[np.ndarray] = []
    for k, vs in zip(table.comp.tolist(), odd):
        if k in first:
            diff = np.setxor1d(first[k], vs)
            if diff.size:
                constraints.append(diff)
        else:
            first[k] = vs
    if not constraints:  # every component one term (or its terms of equal parity pattern): G = all flips
        return rng.integers(0, 2**63, D, dtype=np.int64).astype(np.uint64), D
    basis = _gf2_nullspace(constraints, D, rng)
    words = rng.integers(0, 2**63, basis.shape[0], dtype=np.int64).astype(np.uint64)
    hashes = np.zeros(D, dtype=np.uint64)
    for g, word in zip(basis, words):
        hashes[g.astype(bool)] ^= word
    # exact check: under every flip of the basis, all terms of a component have the same parity
    term_parity = np.array([np.bitwise_xor.reduce(basis[:, vs], axis=1) if vs.size else np.zeros(basis.shape[0],
                                                                                                  dtype=np.uint8)
                            for vs in odd], dtype=np.uint8).reshape(len(odd), basis.shape[0])
    firsts = {}
    for t, k in enumerate(table.comp.tolist()):
        if k in firsts:
            if not np.array_equal(term_parity[t], term_parity[firsts[k]]):
                return np.zeros(D, dtype=np.uint64), 0  # a lost constraint: no splitting (always valid)
        else:
            firsts[k] = t
    return hashes, int(basis.shape[0])


def _gf2_nullspace(constraints: list[np.ndarray], D: int, rng: np.random.Generator) -> np.ndarray:
    """A basis (rows of 0/1) of {g ∈ GF(2)^D : Σ_{i ∈ c} g_i = 0 for every constraint c}; the constraints are
    first folded into at most D + 64 random sums (a lost constraint is caught by the caller's exact check)."""
    rows = len(constraints)
    target = min(rows, D + 64)
    bucket = np.arange(rows) if rows <= target else rng.integers(0, target, rows)
    dense = np.zeros(target * D, dtype=np.int64)
    owner = np.repeat(bucket, [c.size for c in constraints])
    np.add.at(dense, owner * D + np.concatenate(constraints), 1)
    null, nullity = flint.nmod_mat((dense % 2).reshape(target, D).tolist(), 2).nullspace()
    return np.array([[int(null[i, j]) for i in range(D)] for j in range(nullity)], dtype=np.uint8).reshape(nullity, D)


# ---------------------------------------------------------------- sampled equations
class _Samples:
    """Seeded random integer points θ^(s) and random combinations X^(s) = Σ w_k ∇φ_k(θ^(s)), mod p, drawn as
    needed."""

    def __init__(self, table: PolynomialTable, seed: int, p: int):
        self.table, self.p = table, p
        self.rng = np.random.default_rng([seed, table.D, 11])
        self.theta: list[np.ndarray] = []
        self.field: list[np.ndarray] = []

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        while len(self.theta) < n:
            x = self.rng.integers(-POINT_BOUND, POINT_BOUND + 1, self.table.D) % self.p
            k, j, v = jacobian_entries_mod(self.table, x, self.p)
            w = self.rng.integers(1, self.p, self.table.K)
            X = np.zeros(self.table.D, dtype=np.int64)
            np.add.at(X, j, w[k] * v % self.p)
            self.theta.append(x)
            self.field.append(X % self.p)
        return np.array(self.theta[:n]), np.array(self.field[:n])

    def values(self, i: np.ndarray, j: np.ndarray, start: int, stop: int) -> np.ndarray:
        """⟨∇θ^α, X^(s)⟩(θ^(s)) mod p for the monomials α = θ_i θ_j (θ_i where j = −1), samples start … stop − 1:
        an array (monomials, samples)."""
        T, X = self.upto(stop)
        T, X, p = T[start:stop].T, X[start:stop].T, self.p
        linear = j < 0
        jj = np.where(linear, i, j)
        out = (T[jj] * X[i] % p + T[i] * X[jj] % p) % p  # θ_j X_i + θ_i X_j (2 θ_i X_i on the diagonal)
        out[linear] = X[i[linear]]
        return out


def _modinv(a: np.ndarray, p: int) -> np.ndarray:
    out, base, e = np.ones_like(a), a % p, p - 2
    while e:
        if e & 1:
            out = out * base % p
        base = base * base % p
        e >>= 1
    return out


def _full_column_rank(V: np.ndarray, p: int) -> np.ndarray:
    """For each matrix of the batch V (G, rows, s), whether its rank mod p is s (batched elimination)."""
    A = V.copy()
    G, R, s = A.shape
    full = np.ones(G, dtype=bool)
    idx = np.arange(G)
    for c in range(s):
        nz = A[:, c:, c] != 0
        has = nz.any(axis=1)
        full &= has
        piv = np.argmax(nz, axis=1) + c
        top = A[idx, c].copy()
        A[idx, c] = A[idx, piv]
        A[idx, piv] = top
        inv = _modinv(np.where(has, A[idx, c, c], 1), p)
        f = A[:, c + 1:, c] * inv[:, None] % p
        A[:, c + 1:, :] = (A[:, c + 1:, :] - f[:, :, None] * A[:, c, None, :] % p) % p
    return full


def _null_basis(M: np.ndarray, p: int) -> list[list[int]]:
    """The reduced echelon basis mod p of {a : M a = 0} (each vector with a pivot entry 1)."""
    null, nullity = flint.nmod_mat(M.tolist(), p).nullspace()
    if nullity == 0:
        return []
    s = M.shape[1]
    basis = flint.nmod_mat([[int(null[r, c]) for r in range(s)] for c in range(nullity)], p)
    rref, rank = basis.rref()
    return [[int(rref[r, c]) for c in range(s)] for r in range(rank)]


def _lift(vector: list[int], p: int) -> dict | None:
    """Coefficients mod p → coprime integers (rational reconstruction), or None when one does not lift."""
    values = []
    for v in vector:
        q = rational_reconstruction(v, p) if v else 0
        if q is None:
            return None
        values.append(Fraction(int(q.numerator), int(q.denominator)) if v else Fraction(0))
    den = lcm(*(f.denominator for f in values if f))
    ints = [int(f * den) for f in values]
    g = gcd(*(abs(x) for x in ints if x))
    return {pos: x // g for pos, x in enumerate(ints) if x}


# ---------------------------------------------------------------- one block
def _monomials(D: int) -> tuple[np.ndarray, np.ndarray]:
    """Every monomial of degree 1 (j = −1) and 2 (i ≤ j) in D variables."""
    iu, ju = np.triu_indices(D)
    return np.concatenate([np.arange(D), iu]), np.concatenate([np.full(D, -1), ju])


def _as_polynomial(coeffs: dict, i: np.ndarray, j: np.ndarray) -> MonomialSum:
    return MonomialSum({((int(i[m]),) if j[m] < 0 else (int(i[m]), int(j[m]))): c for m, c in coeffs.items()})


def block_laws(table: PolynomialTable, seed: int = 0, p: int = SCREEN_PRIME) -> tuple[list[MonomialSum], dict]:
    """A basis of the laws of degree ≤ 2 (no constants) of one block's φ, proven complete group by group (module
    docstring), with a summary; raises RuntimeError if a group's sampled null space never lifts to laws."""
    hashes, gdim = character_hashes(table, seed)
    i, j = _monomials(table.D)
    key = hashes[i] ^ np.where(j >= 0, hashes[np.maximum(j, 0)], np.uint64(0))
    order = np.argsort(key, kind="stable")
    i, j, key = i[order], j[order], key[order]
    cut = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    starts, sizes = cut[:-1], np.diff(cut)
    samples = _Samples(table, seed, p)
    suspects: list[int] = []  # groups whose sampled system is not of full column rank
    for s in np.unique(sizes).tolist():
        groups = np.flatnonzero(sizes == s)
        if s > SMALL_GROUP:
            suspects += groups.tolist()
            continue
        members = (starts[groups][:, None] + np.arange(s)).reshape(-1)
        V = samples.values(i[members], j[members], 0, s + MARGIN).reshape(len(groups), s, s + MARGIN)
        full = _full_column_rank(V.transpose(0, 2, 1), p)
        suspects += groups[~full].tolist()
    laws: list[MonomialSum] = []
    largest = int(sizes.max(initial=0))
    for g in suspects:
        s, rows = int(sizes[g]), int(sizes[g]) + MARGIN
        mi, mj = i[starts[g]:starts[g] + s], j[starts[g]:starts[g] + s]
        for _ in range(RESAMPLE_ROUNDS):
            M = samples.values(mi, mj, 0, rows).T
            lifted = [_lift(v, p) for v in _null_basis(M, p)]
            found = [_as_polynomial(c, mi, mj) for c in lifted if c is not None]
            if len(found) == len(lifted):
                cand = PolynomialTable.from_polynomials(found, table.D) if found else None
                if cand is None or not product_vanishes(table, cand):
                    laws += found
                    break
            rows *= 2
        else:
            raise RuntimeError(f"a group of {s} monomials kept a sampled null space that does not lift to laws")
    return laws, {"groups": len(sizes), "largest_group": largest, "sign_flips_dim": gdim,
                  "groups_solved": len(suspects)}


# ---------------------------------------------------------------- all blocks
def degree2_laws(phi: PolynomialTable, seed: int = 0, p: int = SCREEN_PRIME) -> tuple[list[MonomialSum], dict]:
    """A basis of the laws of degree ≤ 2 of φ (constants aside), complete (module docstring), in φ's variables;
    with a summary (blocks, groups, seconds)."""
    t0 = time.perf_counter()
    label = variable_blocks(phi)
    comp_block = component_blocks(phi, label)
    laws: list[MonomialSum] = []
    linear: list[list[MonomialSum]] = []
    summary = {"blocks": 0, "groups": 0, "groups_solved": 0, "largest_group": 0}
    for name in np.unique(label[label >= 0]).tolist():
        variables = np.flatnonzero(label == name)
        sub = restrict(phi, variables, np.flatnonzero(comp_block == name))
        found, info = block_laws(sub, seed, p)
        back = [MonomialSum({tuple(int(variables[v]) for v in m): c for m, c in h.terms.items()}) for h in found]
        laws += back
        linear.append([h for h in back if max(len(m) for m in h.terms) == 1])
        summary["blocks"] += 1
        summary["groups"] += info["groups"]
        summary["groups_solved"] += info["groups_solved"]
        summary["largest_group"] = max(summary["largest_group"], info["largest_group"])
    free = np.flatnonzero(label < 0)  # variables no component uses: each is a law, and so is each product
    singles = [MonomialSum.variable(int(v)) for v in free]
    laws += singles + [MonomialSum.variable(int(a)) * MonomialSum.variable(int(b))
                       for n, a in enumerate(free) for b in free[n:]]
    linear.append(singles)
    for a in range(len(linear)):  # mixed laws: products of linear laws of two blocks
        for b in range(a + 1, len(linear)):
            laws += [x * y for x in linear[a] for y in linear[b]]
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    summary["basis"] = len(laws)
    return laws, summary


__all__ = ["block_laws", "character_hashes", "degree2_laws"]
