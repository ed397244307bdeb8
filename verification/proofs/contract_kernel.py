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
