"""The modular checker's compiled loops (Numba), written for the checker alone — nothing of the producer's.

* :func:`first_unconserved` — claim 2 of :mod:`.modular`: for each stored law h, whether some component φ_k has
  ⟨∇h, ∇φ_k⟩ ≢ 0.  For one law at a time, every product (term of ∂h/∂θ_j) × (term of ∂φ_k/∂θ_j) is formed and
  added, exactly in int64, to the entry (k, monomial) of a hash table with linear probing; the law fails when an
  entry ends nonzero.  Monomials are the sorted variable lists packed in base D + 1, kept beside the component;
  the caller guarantees that a packed monomial fits one int64 and that no sum can overflow.
* :func:`contracted` — one row Σ_q w_q T_{k_q}(v_1, …) mod p of Jacobian, Hessian or third-derivative entries
  grouped by component (every product reduced mod p before it is added).
"""
from __future__ import annotations

import numpy as np
from numba import njit

FREE = np.int64(-1)
MIX = np.int64(0x9E3779B97F4A7C15 - 2**64)  # an odd 64-bit constant: multiplicative hashing


@njit(cache=True, nogil=True)
def first_unconserved(law_ptr, law_var, law_coef, law_rest, var_ptr, phi_comp, phi_coef, phi_rest, base, log_size):
    """The first law (in order) that is not conserved and the component it fails against, or (−1, −1)."""
    size = np.int64(1) << log_size
    mask = size - 1
    table_key = np.full(size, FREE, dtype=np.int64)
    table_comp = np.zeros(size, dtype=np.int64)
    table_sum = np.zeros(size, dtype=np.int64)
    touched = np.empty(size, dtype=np.int64)
    width = phi_rest.shape[1] + law_rest.shape[1]
    monomial = np.zeros(width, dtype=np.int64)
    for law in range(law_ptr.size - 1):
        n_touched = 0
        for s in range(law_ptr[law], law_ptr[law + 1]):
            j = law_var[s]
            for t in range(var_ptr[j], var_ptr[j + 1]):
                n = 0  # the product's variables, kept sorted as they arrive (a handful at most)
                for q in range(width):
                    v = phi_rest[t, q] if q < phi_rest.shape[1] else law_rest[s, q - phi_rest.shape[1]]
                    if v < 0:
                        continue
                    r = n
                    while r > 0 and monomial[r - 1] > v:
                        monomial[r] = monomial[r - 1]
                        r -= 1
                    monomial[r] = v
                    n += 1
                packed = np.int64(0)
                for q in range(width):
                    packed = packed * base + (monomial[q] + 1 if q < n else 0)
                comp = phi_comp[t]
                h = (((packed + comp * MIX) * MIX) >> (64 - log_size)) & mask  # the product's high bits
                while table_key[h] != FREE and (table_key[h] != packed or table_comp[h] != comp):
                    h = (h + 1) & mask
                if table_key[h] == FREE:
                    table_key[h] = packed
                    table_comp[h] = comp
                    table_sum[h] = 0
                    touched[n_touched] = h
                    n_touched += 1
                table_sum[h] += law_coef[s] * phi_coef[t]
        failing = np.int64(-1)
        for u in range(n_touched):
            h = touched[u]
            if table_sum[h] != 0 and failing < 0:
                failing = table_comp[h]
            table_key[h] = FREE
        if failing >= 0:
            return law, failing
    return -1, -1


@njit(cache=True, nogil=True)
def contracted(start, out_col, read_at, value, comps, weights, vectors, p, D):
    """Σ_q weights[q] · (the entries of component comps[q], each value times vectors[n][read_at[e, n]] for every
    vector n) added at out_col[e]; mod p."""
    out = np.zeros(D, dtype=np.int64)
    for q in range(comps.size):
        k = comps[q]
        w = weights[q] % p
        for e in range(start[k], start[k + 1]):
            term = w * value[e] % p
            for n in range(read_at.shape[1]):
                term = term * vectors[n, read_at[e, n]] % p
            out[out_col[e]] += term
    for c in range(D):
        out[c] %= p
    return out
