"""The modular checker's compiled loops (Numba), written for the checker alone — nothing of the producer's.

* :func:`first_unconserved` — claim 2 of :mod:`.modular`: for each stored law h, whether some component φ_k has
  ⟨∇h, ∇φ_k⟩ ≢ 0.  For one law and one component at a time, every product (term of ∂h/∂θ_j) × (term of
  ∂φ_k/∂θ_j) is formed and added, exactly in int64, to its monomial's entry of a hash table with linear probing;
  the law fails when an entry ends nonzero.  Monomials are the sorted variable lists packed in base D + 1; the
  caller guarantees that a packed monomial fits one int64 and that no sum can overflow.
* :func:`contracted` — one row Σ_q w_q T_{k_q}(v_1, …) mod p of Jacobian, Hessian or third-derivative entries
  grouped by component (every product reduced mod p before it is added).
"""
from __future__ import annotations

import numpy as np
from numba import njit

FREE = np.int64(-1)
MIX = np.int64(0x9E3779B97F4A7C15 - 2**64)  # an odd 64-bit constant: multiplicative hashing


@njit(cache=True, nogil=True)
def _pack(t, s, phi_rest, law_rest, monomial, base):
    """The product of φ term t and law term s: its variables sorted (insertion, a handful at most), packed."""
    n = 0
    width = monomial.size
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
    return packed


@njit(cache=True, nogil=True)
def first_unconserved(law_ptr, law_var, law_coef, law_rest, var_ptr, phi_comp, phi_coef, phi_rest, base, part,
                      failed):
    """The first law (in order) that is not conserved and the component it fails against, or (−1, −1).  φ's
    terms of each variable come sorted by component; a law's products are summed one component at a time (the
    next component is the least one any of the law's derivative terms still meets), in a table that stays small.

    Parts of the laws run side by side: ``failed[0]`` is lowered to ``part`` when this part finds a failure, and
    a part whose number is above ``failed[0]`` stops with (−2, −2) — an earlier part holds an earlier failure."""
    log_size = 6
    table_key = np.full(1 << log_size, FREE, dtype=np.int64)
    table_sum = np.zeros(1 << log_size, dtype=np.int64)
    touched = np.empty(1 << log_size, dtype=np.int64)
    monomial = np.zeros(phi_rest.shape[1] + law_rest.shape[1], dtype=np.int64)
    longest = 1
    for law in range(law_ptr.size - 1):
        longest = max(longest, law_ptr[law + 1] - law_ptr[law])
    at = np.empty(longest, dtype=np.int64)
    upto = np.empty(longest, dtype=np.int64)
    for law in range(law_ptr.size - 1):
        if failed[0] < part:
            return -2, -2
        first, last = law_ptr[law], law_ptr[law + 1]
        for s in range(first, last):
            at[s - first] = var_ptr[law_var[s]]
        while True:
            comp = np.int64(-1)
            for s in range(first, last):
                if at[s - first] < var_ptr[law_var[s] + 1]:
                    c = phi_comp[at[s - first]]
                    if comp < 0 or c < comp:
                        comp = c
            if comp < 0:
                break
            products = 0
            for s in range(first, last):
                t = at[s - first]
                while t < var_ptr[law_var[s] + 1] and phi_comp[t] == comp:
                    t += 1
                upto[s - first] = t
                products += t - at[s - first]
            if 2 * products > (1 << log_size):
                while 2 * products > (1 << log_size):
                    log_size += 1
                table_key = np.full(1 << log_size, FREE, dtype=np.int64)
                table_sum = np.zeros(1 << log_size, dtype=np.int64)
                touched = np.empty(1 << log_size, dtype=np.int64)
            mask = (np.int64(1) << log_size) - 1
            n_touched = 0
            for s in range(first, last):
                for t in range(at[s - first], upto[s - first]):
                    key = _pack(t, s, phi_rest, law_rest, monomial, base)
                    h = ((key * MIX) >> (64 - log_size)) & mask  # the product's high bits
                    while table_key[h] != FREE and table_key[h] != key:
                        h = (h + 1) & mask
                    if table_key[h] == FREE:
                        table_key[h] = key
                        table_sum[h] = 0
                        touched[n_touched] = h
                        n_touched += 1
                    table_sum[h] += law_coef[s] * phi_coef[t]
                at[s - first] = upto[s - first]
            nonzero = False
            for u in range(n_touched):
                nonzero = nonzero or table_sum[touched[u]] != 0
                table_key[touched[u]] = FREE
            if nonzero:
                if failed[0] > part:  # a race may leave a larger part's number: that only stops fewer parts
                    failed[0] = part
                return law, comp
    return -1, -1


@njit(cache=True, nogil=True)
def contracted(start, out_col, read_at, value, comps, weights, vectors, p, D):
    """Σ_q weights[q] · (the entries of component comps[q], each value times vectors[n][read_at[e, n]] for every
    vector n) added at out_col[e]; mod p.  Each term is below p² < 2⁴⁰ when added; the sums are reduced before
    2²² terms could reach 2⁶², so no int64 overflows."""
    out = np.zeros(D, dtype=np.int64)
    added = 0
    last = read_at.shape[1] - 1
    for q in range(comps.size):
        k = comps[q]
        w = weights[q] % p
        for e in range(start[k], start[k + 1]):
            term = w * value[e] % p
            for n in range(last + 1):
                term = term * vectors[n, read_at[e, n]]
                if n < last:
                    term %= p
            out[out_col[e]] += term
            added += 1
            if added == 1 << 22:
                for c in range(D):
                    out[c] %= p
                added = 0
    for c in range(D):
        out[c] %= p
    return out


@njit(cache=True)
def grouped_entries(comp, var, coef, rest, x, p, K, reads):
    """The Jacobian (``reads`` = 0) or Hessian (``reads`` = 1) entries of φ at x mod p, grouped by component
    (counting sort: ``start`` offsets), from the first-derivative terms (component, variable, coefficient, other
    variables padded with −1): a Jacobian entry adds coef · Π x[rest] at column ``var``; a Hessian entry, one per
    other variable r, adds coef · Π_{s ≠ r} x[s] · v[r] at column ``var`` (ordered pairs: a square appears twice,
    as it should).  Columns as int32, values in [0, p)."""
    start = np.zeros(K + 1, dtype=np.int64)
    width = rest.shape[1]
    for t in range(comp.size):
        if reads == 0:
            start[comp[t] + 1] += 1
        else:
            for q in range(width):
                if rest[t, q] >= 0:
                    start[comp[t] + 1] += 1
    for k in range(K):
        start[k + 1] += start[k]
    n = start[K]
    out_col = np.empty(n, dtype=np.int32)
    read_at = np.empty((n, reads), dtype=np.int32)
    value = np.empty(n, dtype=np.int64)
    fill = start[:K].copy()
    for t in range(comp.size):
        k = comp[t]
        if reads == 0:
            v = coef[t] % p
            for q in range(width):
                if rest[t, q] >= 0:
                    v = v * x[rest[t, q]] % p
            out_col[fill[k]] = var[t]
            value[fill[k]] = v
            fill[k] += 1
            continue
        for r in range(width):
            if rest[t, r] < 0:
                continue
            v = coef[t] % p
            for q in range(width):
                if q != r and rest[t, q] >= 0:
                    v = v * x[rest[t, q]] % p
            out_col[fill[k]] = var[t]
            read_at[fill[k], 0] = rest[t, r]
            value[fill[k]] = v
            fill[k] += 1
    return start, out_col, read_at, value


# The rank mod p (p < 2²⁶) of a dense block, for blocks too large for FLINT's rank in the time allowed: Gauss–Jordan
# by halves, the bulk as float64 matrix products.  Exact: each product multiplies residues in [0, p) over an inner
# dimension of at most (2⁵³ − p) // (p − 1)², so every partial sum is an integer below 2⁵³, represented exactly
# whatever the summation order; each is then reduced mod p by _less_mod.
ECHELON_LEAF = 16


@njit(cache=True)
def _leaf_echelon(block, p):
    """Reduced row echelon form of a few rows (int64 residues), in place; the pivot columns."""
    n_rows, n_cols = block.shape
    lead = np.empty(n_rows, dtype=np.int64)
    done = 0
    for col in range(n_cols):
        if done == n_rows:
            break
        row = done
        while row < n_rows and block[row, col] == 0:
            row += 1
        if row == n_rows:
            continue
        for j in range(n_cols):
            block[done, j], block[row, j] = block[row, j], block[done, j]
        scale, power, e = np.int64(1), block[done, col], p - 2  # Fermat: the pivot's inverse
        while e:
            if e % 2:
                scale = scale * power % p
            power = power * power % p
            e //= 2
        for j in range(col, n_cols):
            block[done, j] = block[done, j] * scale % p
        for other in range(n_rows):
            factor = block[other, col]
            if other != done and factor:
                for j in range(col, n_cols):
                    block[other, j] = (block[other, j] - factor * block[done, j]) % p
        lead[done] = col
        done += 1
    return lead[:done]


@njit(cache=True)
def _less_mod(a, b, p):
    """(a − b) mod p for float64 integers below 2⁵³ in magnitude (written over b)."""
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            x = a[i, j] - b[i, j]
            x = x - p * np.floor(x / p)
            b[i, j] = x + p if x < 0 else (x - p if x >= p else x)
    return b


def _less_product(a: np.ndarray, left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    inner = (2**53 - p) // (p - 1) ** 2
    for s in range(0, left.shape[1], inner):
        a = _less_mod(a, left[:, s:s + inner] @ right[s:s + inner], p)
    return a


def _echelon(block: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """(pivot columns, rows in reduced echelon form on them) of float64 residues, by halves."""
    if block.shape[0] <= ECHELON_LEAF:
        leaf = block.astype(np.int64)
        lead = _leaf_echelon(leaf, p)
        return lead, leaf[:lead.size].astype(np.float64)
    half = block.shape[0] // 2
    lead, rows = _echelon(block[:half], p)
    rest = block[half:]
    if lead.size:
        rest = _less_product(rest, rest[:, lead], rows, p)
    lead2, rows2 = _echelon(rest, p)
    if lead2.size and lead.size:
        rows = _less_product(rows, rows[:, lead2], rows2, p)
    return np.concatenate([lead, lead2]), np.concatenate([rows, rows2])


def dense_rank(block: np.ndarray, p: int) -> int:
    """The rank mod p of an integer matrix (p a prime below 2²⁶)."""
    assert 2 <= p < 2**26
    residues = block.astype(np.float64)
    np.mod(residues, p, out=residues)  # exact: integers below 2⁵³
    if residues.shape[0] > residues.shape[1]:
        residues = np.ascontiguousarray(residues.T)
    return int(_echelon(residues, p)[0].size) if residues.size else 0
