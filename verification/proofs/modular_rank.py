"""A proven lower bound on dim Lie(V_φ)(θ) at an integer point, from ranks modulo a prime (issue 24, item 1).

Soundness.  The values of fields and brackets at an integer point θ are integer vectors; any r × r minor of them
that is nonzero modulo p is a nonzero integer, so **the rank modulo p of any set of such values is at most their
rank over QQ, which is at most dim Lie(V)(θ)**.  Random combinations change nothing: Σ a_k ∇φ_k = ∇(a·φ) is a
field of the span, and [∇(a·φ), ∇(b·φ)] a bracket of two, so their values lie in Lie(V)(θ).  A bad prime, point
or draw can only make the bound smaller, never wrong.

What is computed, all modulo ``SCREEN_PRIME`` with numpy, compiled loops and ranks by python-flint
(:class:`flint.nmod_mat`) or, for large matrices, exact float64 BLAS products (:mod:`.rank_mod_p`):

* level 0 — the K generator values ∇φ_k(θ), compressed into target + margin rows: generator k goes, with a
  random coefficient, into one of the rows chosen at random (one pass over the Jacobian's entries);
* level 1 — values [∇(a·φ), ∇(b·φ)](θ) = H_b(θ) ∇(a·φ)(θ) − H_a(θ) ∇(b·φ)(θ) for random a, b of
  ``SPARSE_COMBINATION`` components each, as many as the rank still needs, from those components' Jacobian and
  Hessian entries (at one point the exact trace, :func:`conslaw.algebra.lie_trace`, stops growing at level 1 for
  two-layer ReLU and linear nets and attention);
* level 2 — for a map of degree ≥ 3 (a deeper net) whose rank is still short: values [X_a, [X_b, X_c]](θ) of
  three random combinations, from the third derivatives of φ (:func:`_level2_values`);
* the rank of all rows together (one rank of a dense (target + margin) × D matrix).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import flint
import numpy as np

from .poly_table import PolynomialTable, jacobian_entries_mod, third_entries_mod

SCREEN_PRIME = 1_048_573  # the largest prime below 2**20: products of two residues stay exact in int64 sums
POINT_BOUND = 97
BRACKET_ROUNDS = 3
SPARSE_COMBINATION = 32  # components in each random combination whose brackets are drawn


def integer_point(D: int, seed: int, bound: int = POINT_BOUND) -> np.ndarray:
    """A seeded random point with nonzero integer coordinates in [−bound, bound]."""
    rng = np.random.default_rng([seed, D])
    values = rng.integers(1, bound + 1, D) * rng.choice([-1, 1], D)
    return values.astype(np.int64)


@dataclass
class ModularRank:
    """The outcome: ``rank`` ≤ dim Lie(V)(θ) at the integer ``point`` (proven), with the evidence."""

    rank: int
    target: int
    prime: int
    point: list[int]
    seed: int
    levels: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    #: the rows whose rank is ``rank``, as drawn (for a certificate): level 0's (bucket, coefficient) of each
    #: generator, and per batch of brackets the components and weights (ca, wa, cb, wb) of a and b
    level0: tuple = ()
    bracket_draws: list = field(default_factory=list)
    #: level 2: per batch (ca, wa, cb, wb, cc, wc) of the brackets [X_a, [X_b, X_c]]
    level2_draws: list = field(default_factory=list)


class _ByComponent:
    """Entries (of the Jacobian, the Hessian or the third derivatives) grouped by component k, for contractions:
    the entries of k are ptr[k]..ptr[k + 1]; the output column, the columns the contracted vectors are read at
    (entries × 0, 1 or 2) and the value."""

    def __init__(self, ptr: np.ndarray, out_col: np.ndarray, vector_columns: np.ndarray, value: np.ndarray):
        self.ptr, self.out_col, self.vector_columns, self.value = ptr, out_col, vector_columns, value

    @staticmethod
    def from_entries(comp: np.ndarray, K: int, out_col: np.ndarray, *rest: np.ndarray) -> "_ByComponent":
        """From entry columns (component, output column, vector columns…, value) in any order."""
        order = np.argsort(comp, kind="stable")
        vector_columns = np.empty((len(order), len(rest) - 1), dtype=np.int64)
        for n, col in enumerate(rest[:-1]):
            vector_columns[:, n] = col[order]
        return _ByComponent(np.searchsorted(comp[order], np.arange(K + 1)), out_col[order], vector_columns,
                            rest[-1][order])


def _rank_mod(rows: np.ndarray, p: int) -> int:
    """FLINT's rank for a small matrix, :func:`.rank_mod_p.rank_mod_p` (BLAS products, exact) for a large one."""
    from .rank_mod_p import DENSE_RANK_CELLS, rank_mod_p  # Numba, loaded on first use

    if rows.shape[0] == 0:
        return 0
    if rows.size > DENSE_RANK_CELLS:
        return rank_mod_p(rows, p)
    return int(flint.nmod_mat(rows.tolist(), p).rank())


def _bracket_values(jac: "_ByComponent", hess: "_ByComponent", K: int, D: int, needed: int, batch: int,
                    rng: np.random.Generator, p: int, draws: list) -> np.ndarray:
    """``needed`` values [∇(a·φ), ∇(b·φ)](θ) mod p (rows), for random a, b of ``SPARSE_COMBINATION`` components."""
    s = min(K, SPARSE_COMBINATION)
    rows = []
    for start in range(0, needed, batch):
        B = min(batch, needed - start)
        # a and b: random combinations of s components each (a bracket is bilinear: [X_a, X_b] is a random
        # combination of s² brackets [∇φ_k, ∇φ_l], cheap to evaluate from those components' entries only)
        ca, cb = (np.stack([rng.choice(K, s, replace=False) for _ in range(B)]) for _ in range(2))
        wa, wb = rng.integers(1, p, (B, s)), rng.integers(1, p, (B, s))
        draws.append((ca, wa, cb, wb))
        Xa, Xb = _contract(jac, ca, wa, (), B, D, p), _contract(jac, cb, wb, (), B, D, p)
        value = _contract(hess, cb, wb, (Xa,), B, D, p) - _contract(hess, ca, wa, (Xb,), B, D, p)  # H_b X_a − H_a X_b
        rows.append((value % p).reshape(B, D))
    return np.concatenate(rows) if rows else np.zeros((0, D), dtype=np.int64)


def _contract(entries: "_ByComponent", comps: np.ndarray, w: np.ndarray, vectors: tuple, B: int, D: int,
              p: int) -> np.ndarray:
    """Σ_k w_k (the k-th tensor contracted with ``vectors``) for each of B rows: Jacobian entries (out, value) with
    no vector give Σ w_k ∇φ_k; Hessian entries (out, j, value) with one vector v give Σ w_k H_k v; third-derivative
    entries (out, j, l, value) with u, v give Σ w_k T_k(u, v).  Flat (B·D) arrays mod p
    (:func:`.contract_kernel.contract_rows`)."""
    from .contract_kernel import contract_rows  # Numba, loaded on first use

    return contract_rows(entries.ptr, entries.out_col, entries.vector_columns, entries.value, comps, w,
                         vectors, B, D, p).reshape(-1)


def _draw(K: int, B: int, rng: np.random.Generator, p: int) -> tuple[np.ndarray, np.ndarray]:
    s = min(K, SPARSE_COMBINATION)
    return np.stack([rng.choice(K, s, replace=False) for _ in range(B)]), rng.integers(1, p, (B, s))


def _level2_values(jac: "_ByComponent", hess: "_ByComponent", third: "_ByComponent", K: int, D: int, needed: int,
                   batch: int, rng: np.random.Generator, p: int, draws: list) -> np.ndarray:
    """``needed`` values [X_a, [X_b, X_c]](θ) mod p for random combinations a, b, c (X_a = ∇(a·φ)):
    with Y = [X_b, X_c] = H_c X_b − H_b X_c, the value is DY·X_a − H_a Y, where
    DY·v = T_c(X_b, v) + H_c H_b v − T_b(X_c, v) − H_b H_c v (T: third derivatives)."""
    rows = []
    for start in range(0, needed, batch):
        B = min(batch, needed - start)
        (ca, wa), (cb, wb), (cc, wc) = (_draw(K, B, rng, p) for _ in range(3))
        draws.append((ca, wa, cb, wb, cc, wc))
        Xa, Xb, Xc = (_contract(jac, c, w, (), B, D, p) for c, w in ((ca, wa), (cb, wb), (cc, wc)))
        Y = (_contract(hess, cc, wc, (Xb,), B, D, p) - _contract(hess, cb, wb, (Xc,), B, D, p)) % p
        DY = (_contract(third, cc, wc, (Xb, Xa), B, D, p)
              + _contract(hess, cc, wc, (_contract(hess, cb, wb, (Xa,), B, D, p),), B, D, p)
              - _contract(third, cb, wb, (Xc, Xa), B, D, p)
              - _contract(hess, cb, wb, (_contract(hess, cc, wc, (Xa,), B, D, p),), B, D, p)) % p
        rows.append(((DY - _contract(hess, ca, wa, (Y,), B, D, p)) % p).reshape(B, D))
    return np.concatenate(rows) if rows else np.zeros((0, D), dtype=np.int64)


def lie_rank_lower_bound(table: PolynomialTable, target: int, *, seed: int = 0, p: int = SCREEN_PRIME,
                         margin: int = 16, batch: int = 32, point: Optional[np.ndarray] = None,
                         stream: tuple[int, ...] = ()) -> ModularRank:
    """A proven lower bound (module docstring) on dim Lie(∇φ_1, …, ∇φ_K)(θ) at a seeded integer point (or the
    given ``point``), grown until it reaches ``target`` (e.g. D − N for N laws) or level 1 is spent; ``stream``
    tells the random draws of several calls apart (one per block of :mod:`.modular_blocks`)."""
    t0 = time.perf_counter()
    D, K = table.D, table.K
    rng = np.random.default_rng([seed, D, 1, *stream])
    x = integer_point(D, seed) if point is None else point
    xm = np.mod(x, p)
    out = ModularRank(0, target, p, [int(v) for v in x], seed)
    from .contract_kernel import grouped_entries  # Numba, loaded on first use

    jac = _ByComponent(*grouped_entries(table.comp, table.var, table.coef, xm, p, K, 1))
    tl = time.perf_counter()
    R0 = max(1, min(K, target + margin))
    bucket = rng.integers(0, R0, K) if K > R0 else rng.permutation(K)
    coef = rng.integers(1, p, K)
    k = np.repeat(np.arange(K), np.diff(jac.ptr))
    level0 = np.zeros(R0 * D, dtype=np.int64)
    np.add.at(level0, bucket[k] * D + jac.out_col, coef[k] * jac.value % p)
    level0 = (level0 % p).reshape(R0, D)
    del k
    out.level0 = (bucket, coef, R0)
    out.rank = _rank_mod(level0, p)
    out.levels.append({"level": 0, "rows": R0, "rank_mod_p": out.rank, "seconds": round(time.perf_counter() - tl, 3),
                       "what": f"{K} generator values in {R0} random combinations"})
    if out.rank >= target or table.degree < 2:
        out.seconds = time.perf_counter() - t0
        return out
    tl = time.perf_counter()
    hess = _ByComponent(*grouped_entries(table.comp, table.var, table.coef, xm, p, K, 2))
    found = [level0]
    distinct = K * (K - 1) // 2  # level-1 values lie in the span of the [∇φ_k, ∇φ_l]: never more rows than that
    _grow(out, found, 1, lambda n: _bracket_values(jac, hess, K, D, n, batch, rng, p, out.bracket_draws),
          distinct + margin, margin, p, tl, "brackets of random combinations")
    if out.rank < target and table.degree >= 3:  # a deeper net: brackets of depth 2 (third derivatives)
        tl = time.perf_counter()
        entries = third_entries_mod(table, xm, p)
        third = _ByComponent.from_entries(entries[0], K, *entries[1:])
        del entries
        _grow(out, found, 2, lambda n: _level2_values(jac, hess, third, K, D, n, batch, rng, p, out.level2_draws),
              None, margin, p, tl, "brackets [X_a, [X_b, X_c]] of random combinations")
    out.seconds = time.perf_counter() - t0
    return out


def _grow(out: ModularRank, found: list, level: int, rows_of, cap: Optional[int], margin: int, p: int,
          started: float, what: str) -> None:
    """Rounds of one bracket level: each draws what the rank still needs (at most ``cap`` rows), appends them to
    ``found`` and takes the rank of everything; a round that adds nothing (an unlucky draw is unlikely: the level
    is spent) or reaches the target ends the level.  A short round is followed by a larger one."""
    for round_ in range(BRACKET_ROUNDS):
        needed = out.target - out.rank + margin * (round_ + 1)
        needed = needed if cap is None else min(needed, cap)
        before = out.rank
        values = rows_of(needed)
        found.append(values)
        out.rank = _rank_mod(np.concatenate(found), p)
        out.levels.append({"level": level, "round": round_ + 1, "rows": int(values.shape[0]), "rank_mod_p": out.rank,
                           "seconds": round(time.perf_counter() - started, 3),
                           "what": f"{values.shape[0]} {what}"})
        started = time.perf_counter()
        if out.rank >= out.target or out.rank == before:
            break


def gradient_values_mod(table: PolynomialTable, point: np.ndarray, p: int = SCREEN_PRIME) -> np.ndarray:
    """The gradients ∇h_i(θ) of a table's polynomials at an integer point, mod p: a (K, D) array."""
    k, j, v = jacobian_entries_mod(table, np.mod(point, p), p)
    dense = np.zeros(table.K * table.D, dtype=np.int64)
    np.add.at(dense, k * table.D + j, v)
    return (dense % p).reshape(table.K, table.D)


def gradient_rank_mod(table: PolynomialTable, point: np.ndarray, p: int = SCREEN_PRIME) -> int:
    """The rank modulo p of the gradients ∇h_i(θ) of a table's polynomials at an integer point: a proven lower
    bound on their rank over QQ (so that many of them are independent near θ)."""
    return _rank_mod(gradient_values_mod(table, point, p), p)
