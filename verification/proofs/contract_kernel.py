"""Compiled inner loop of the bracket values of :mod:`.modular_rank`: Σ_k w_k T_k(v_1, …) mod p for each of B rows,
where T_k is the Jacobian, the Hessian or the third-derivative tensor of φ_k at the integer point (entries grouped
by component) contracted with 0, 1 or 2 vectors of that row.

Every product is reduced mod p (< 2²¹) before it is added, and a cell sums at most one residue per entry of the
tensor (far fewer than 2⁴² entries), so int64 never overflows.  Rows run in parallel (Numba
``prange``); no per-entry arrays are materialised, which is what made the NumPy version slow on a deep net
(about 10⁹ entry products for ``linear 41 41 41 41``).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def _rows(ptr, out_col, vec_cols, val, comps, w, vectors, p, out):
    B, s = comps.shape
    nv = vec_cols.shape[1]
    D = out.shape[1]
    for b in prange(B):
        for q in range(s):
            k = comps[b, q]
            wk = w[b, q] % p
            for e in range(ptr[k], ptr[k + 1]):
                term = wk * val[e] % p
                for n in range(nv):
                    term = term * vectors[n, b * D + vec_cols[e, n]] % p
                out[b, out_col[e]] += term
        for c in range(D):
            out[b, c] %= p
    return out


def contract_rows(ptr: np.ndarray, out_col: np.ndarray, vec_cols: np.ndarray, val: np.ndarray, comps: np.ndarray,
                  w: np.ndarray, vectors: tuple, B: int, D: int, p: int) -> np.ndarray:
    """(B, D) residues: row b is Σ_q w[b, q] · (tensor of component comps[b, q] contracted with the vectors' row b).
    ``ptr``: the entries of component k are ptr[k]..ptr[k + 1]; ``vec_cols`` (entries × number of vectors): the
    index each vector is read at; vectors: flat (B·D) arrays mod p."""
    stacked = np.stack(vectors) if vectors else np.zeros((0, B * D), dtype=np.int64)
    out = np.zeros((B, D), dtype=np.int64)
    return _rows(ptr, out_col, vec_cols, val, np.ascontiguousarray(comps, dtype=np.int64),
                 np.ascontiguousarray(w, dtype=np.int64), stacked, np.int64(p), out)


@njit(cache=True)
def _grouped(comp, var, coef, x, p, K, order):
    """Counting sort by component of the derivative entries of order 1 (Jacobian) or 2 (Hessian) of the terms
    coef · Π θ_var: one entry per ordered choice of ``order`` distinct positions, the first giving the output column
    and the second (order 2) the column the contracted vector is read at; the value is coef · Π of x over the
    other positions, mod p."""
    T, d = var.shape
    ptr = np.zeros(K + 1, dtype=np.int64)
    for t in range(T):
        present = 0
        for a in range(d):
            if var[t, a] >= 0:
                present += 1
        ptr[comp[t] + 1] += present if order == 1 else present * (present - 1)
    for k in range(K):
        ptr[k + 1] += ptr[k]
    n = ptr[K]
    out_col = np.empty(n, dtype=np.int32)
    vec_cols = np.empty((n, order - 1), dtype=np.int32)
    val = np.empty(n, dtype=np.int64)
    at = ptr[:K].copy()
    for t in range(T):
        k = comp[t]
        for a in range(d):
            if var[t, a] < 0:
                continue
            for b in range(d if order == 2 else 1):
                if order == 2 and (b == a or var[t, b] < 0):
                    continue
                v = coef[t] % p
                for c in range(d):
                    if c != a and (order == 1 or c != b) and var[t, c] >= 0:
                        v = v * x[var[t, c]] % p
                e = at[k]
                out_col[e] = var[t, a]
                if order == 2:
                    vec_cols[e, 0] = var[t, b]
                val[e] = v
                at[k] += 1
    return ptr, out_col, vec_cols, val


def grouped_entries(comp: np.ndarray, var: np.ndarray, coef: np.ndarray, x: np.ndarray, p: int, K: int,
                    order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ptr, out_col, vec_cols, val) of the Jacobian (``order`` 1) or Hessian (2) entries of the map with terms
    (comp, var, coef) at the residues x, grouped by component by a counting sort, with no per-entry intermediate
    arrays (a deep linear net at D ≈ 5,000 has 17 million Hessian entries)."""
    return _grouped(np.ascontiguousarray(comp, dtype=np.int64), np.ascontiguousarray(var, dtype=np.int64),
                    np.mod(coef, p).astype(np.int64), np.ascontiguousarray(x, dtype=np.int64), np.int64(p),
                    np.int64(K), np.int64(order))
