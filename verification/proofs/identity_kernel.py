"""Compiled inner loop of the identity check ⟨∇h_i, ∇φ_k⟩ ≡ 0 (:func:`.poly_table.product_vanishes`), for sizes
where the products number in the hundreds of millions (a deep linear net at D ≈ 5,000: about 475 million).

The arithmetic is the same as the NumPy path's: every product of a term of ∂h_i/∂θ_j with a term of ∂φ_k/∂θ_j is
formed, its variables sorted and packed into one integer, and like monomials of the
same component k are summed — here in an open-addressing hash table per law and component (keys: packed
monomials; values: exact int64 sums, guarded by the caller against overflow), compiled by Numba, so that no
product array is ever held.  A pair (i, k) with a nonzero sum is reported.  Laws are shared among threads (Numba releases the GIL).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

EMPTY = -1
HASH_MULTIPLIER = np.int64(-7046029254386353131)  # an odd 64-bit constant (Fibonacci hashing)


@njit(cache=True, nogil=True)
def _laws_unconserved(laws, law_start, hj, hc, hr, first, pk, pc, pr, base, out):
    """For each law index in ``laws`` (terms law_start[i]..law_start[i+1] of (hj, hc, hr)), the smallest component
    k with a nonzero sum, or −1, written to ``out``.  φ's terms of each variable are sorted by component, so the
    law's products are formed one component at a time (a cursor per derivative term, advanced together): the
    table holds one component's monomials only and stays in cache."""
    bits = 8
    keys = np.full(1 << bits, EMPTY, dtype=np.int64)
    vals = np.zeros(1 << bits, dtype=np.int64)
    used = np.empty(1 << bits, dtype=np.int64)
    dp, dh = pr.shape[1], hr.shape[1]
    merged = np.empty(dp + dh, dtype=np.int64)
    most = 0
    for n in range(laws.size):
        most = max(most, law_start[laws[n] + 1] - law_start[laws[n]])
    cursor = np.empty(max(most, 1), dtype=np.int64)
    stop = np.empty(max(most, 1), dtype=np.int64)
    for n in range(laws.size):
        i = laws[n]
        a, b = law_start[i], law_start[i + 1]
        for s in range(a, b):
            cursor[s - a] = first[hj[s]]
        out[n] = -1
        while out[n] < 0:
            k = -1  # the next component any derivative term still meets
            for s in range(a, b):
                t = cursor[s - a]
                if t < first[hj[s] + 1] and (k < 0 or pk[t] < k):
                    k = pk[t]
            if k < 0:
                break
            count = 0
            for s in range(a, b):
                t, end = cursor[s - a], first[hj[s] + 1]
                while t < end and pk[t] == k:
                    t += 1
                stop[s - a] = t
                count += t - cursor[s - a]
            while (1 << bits) < 2 * count:  # at most half full
                bits += 1
                keys = np.full(1 << bits, EMPTY, dtype=np.int64)
                vals = np.zeros(1 << bits, dtype=np.int64)
                used = np.empty(1 << bits, dtype=np.int64)
            mask, shift = (1 << bits) - 1, 64 - bits
            n_used = 0
            for s in range(a, b):
                c = hc[s]
                for t in range(cursor[s - a], stop[s - a]):
                    m = 0  # the product's variables, sorted (insertion sort: at most a few)
                    for q in range(dp + dh):
                        v = pr[t, q] if q < dp else hr[s, q - dp]
                        if v >= 0:
                            r = m
                            while r > 0 and merged[r - 1] > v:
                                merged[r] = merged[r - 1]
                                r -= 1
                            merged[r] = v
                            m += 1
                    key = np.int64(0)
                    for q in range(m):
                        key = key * base + merged[q] + 1
                    for q in range(m, dp + dh):
                        key = key * base
                    slot = ((key * HASH_MULTIPLIER) >> shift) & mask
                    while keys[slot] != EMPTY and keys[slot] != key:
                        slot = (slot + 1) & mask
                    if keys[slot] == EMPTY:
                        keys[slot] = key
                        vals[slot] = 0
                        used[n_used] = slot
                        n_used += 1
                    vals[slot] += c * pc[t]
                cursor[s - a] = stop[s - a]
            for u in range(n_used):
                slot = used[u]
                if vals[slot] != 0:
                    out[n] = k
                keys[slot] = EMPTY
    return out


def unconserved_pairs(law_start: np.ndarray, hj: np.ndarray, hc: np.ndarray, hr: np.ndarray, first: np.ndarray,
                      pk: np.ndarray, pc: np.ndarray, pr: np.ndarray, D: int, threads: int = 0) -> list[tuple[int, int]]:
    """(law, smallest component) for each law whose identity fails.  Inputs: the laws' derivative terms sorted by law
    (``law_start`` offsets; variable ``hj``, coefficient ``hc``, remaining variables ``hr``), φ's sorted by
    variable and, within a variable, by component (``first`` offsets; component ``pk``, coefficient ``pc``,
    remaining variables ``pr``), all int64."""
    n_laws = law_start.size - 1
    if n_laws == 0:
        return []
    threads = threads or min(4, os.cpu_count() or 1)
    groups = [g for g in np.array_split(np.arange(n_laws, dtype=np.int64), threads) if g.size]
    args = (law_start, hj, hc, hr, first, pk, pc, pr, np.int64(D + 1))

    def one(group: np.ndarray) -> np.ndarray:
        return _laws_unconserved(group, *args, np.empty(group.size, dtype=np.int64))

    if len(groups) == 1:
        found = [one(groups[0])]
    else:
        with ThreadPoolExecutor(len(groups)) as pool:
            found = list(pool.map(one, groups))
    return [(int(i), int(k)) for g, f in zip(groups, found) for i, k in zip(g, f) if k >= 0]
