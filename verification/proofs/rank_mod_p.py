"""The rank of an integer matrix modulo a prime p < 2²⁶, by blocked Gauss–Jordan elimination whose bulk work is
float64 matrix products (BLAS through NumPy), exact by construction.

Exactness.  Every product is of two matrices with entries in [0, p) and an inner dimension of at most
``inner_limit(p)`` = ⌊(2⁵³ − p) / (p − 1)²⌋, so every partial sum a BLAS kernel forms, in any order and with or
without fused multiply-adds, is an integer below 2⁵³: float64 represents it exactly and the result is the exact
integer product; ``np.fmod`` (exact in IEEE arithmetic) then reduces it.  Longer inner dimensions are cut into
pieces of that length, each reduced mod p before they are added.  This is the approach of FFLAS–FFPACK
(Dumas, Giorgi, Pernet, "Dense linear algebra over word-size prime fields", ACM TOMS 35, 2008).

Algorithm.  Rows are taken in blocks; a block is first reduced against the basis found so far (kept in reduced
row echelon form on its pivot columns: X ← X − X[:, P] · B, one product), then brought to reduced echelon form
itself — recursively, by smaller blocks, down to ``BASE_ROWS`` rows eliminated by a compiled loop
(:func:`_rref_rows`) — and finally the basis is cleared on the new pivot columns (B ← B − B[:, P′] · R′) and
extended.  The rank is the number of pivots.  Work: about 2 · m · r · n multiply-adds in BLAS for an m × n matrix
of rank r, and m · n · ``BASE_ROWS`` in the compiled loop.
"""
from __future__ import annotations

import numpy as np
from numba import njit

BLOCK_ROWS = (512, 64)  # the block sizes of the two levels above the compiled loop
BASE_ROWS = 8
DENSE_RANK_CELLS = 250_000  # below this many entries FLINT's rank is as fast; above, this module's


def inner_limit(p: int) -> int:
    """The longest inner dimension of an exact float64 product of residues mod p."""
    return (2**53 - p) // (p - 1) ** 2


@njit(cache=True)
def _rref_rows(X, p):
    """X (int64, entries in [0, p)) to reduced row echelon form in place; returns the pivot columns, in the order
    of the rows that hold them (rows 0 … len − 1 of X afterwards)."""
    rows, cols = X.shape
    pivots = np.empty(min(rows, cols), dtype=np.int64)
    r = 0
    for c in range(cols):
        if r == rows:
            break
        found = -1
        for i in range(r, rows):
            if X[i, c] != 0:
                found = i
                break
        if found < 0:
            continue
        if found != r:
            for j in range(cols):
                X[r, j], X[found, j] = X[found, j], X[r, j]
        inv = np.int64(1)  # X[r, c]^(p − 2) mod p
        base, e = X[r, c], p - 2
        while e > 0:
            if e & 1:
                inv = inv * base % p
            base = base * base % p
            e >>= 1
        for j in range(c, cols):
            X[r, j] = X[r, j] * inv % p
        for i in range(rows):
            f = X[i, c]
            if i != r and f != 0:
                f = p - f
                for j in range(c, cols):
                    X[i, j] = (X[i, j] + f * X[r, j]) % p
        pivots[r] = c
        r += 1
    return pivots[:r]


@njit(cache=True)
def _difference_mod(X, prod, p):
    """(X − prod) mod p into prod, for float64 integers of magnitude below 2⁵³: q = ⌊(X − prod)/p⌋ up to one
    (the quotient is rounded), x − q·p exact (q·p < 2⁵³), then corrected into [0, p)."""
    inv = 1.0 / p
    for i in range(prod.shape[0]):
        for j in range(prod.shape[1]):
            x = X[i, j] - prod[i, j]
            x -= np.floor(x * inv) * p
            if x < 0:
                x += p
            elif x >= p:
                x -= p
            prod[i, j] = x
    return prod


def _minus_product(X: np.ndarray, left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """(X − left · right) mod p, in float64 with every partial sum exact (see the module's docstring)."""
    step = inner_limit(p)
    out = X
    for start in range(0, left.shape[1], step):
        out = _difference_mod(out, left[:, start:start + step] @ right[start:start + step], p)
    return out


def _rref(X: np.ndarray, p: int, blocks: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(pivot columns, the reduced echelon rows R with R[:, pivots] = I) of the float64 residues X."""
    if not blocks:
        small = X.astype(np.int64)
        pivots = _rref_rows(small, p)
        return pivots, small[:pivots.size].astype(np.float64)
    pivots = np.zeros(0, dtype=np.int64)
    basis = np.zeros((0, X.shape[1]))
    for start in range(0, X.shape[0], blocks[0]):
        block = X[start:start + blocks[0]]
        if pivots.size:
            block = _minus_product(block, block[:, pivots], basis, p)
        new, reduced = _rref(block, p, blocks[1:])
        if not new.size:
            continue
        if pivots.size:
            basis = _minus_product(basis, basis[:, new], reduced, p)
        basis = np.concatenate([basis, reduced])
        pivots = np.concatenate([pivots, new])
        if pivots.size == X.shape[1]:
            break
    return pivots, basis


def rank_mod_p(rows: np.ndarray, p: int) -> int:
    """The rank of the integer matrix ``rows`` modulo the prime p (p < 2²⁶), exactly."""
    if not 2 <= p < 2**26:
        raise ValueError(f"rank_mod_p needs a prime below 2**26, not {p}")
    if rows.size == 0:
        return 0
    M = np.mod(rows, p).astype(np.float64)
    if M.shape[0] > M.shape[1]:
        M = np.ascontiguousarray(M.T)  # the basis has at most min(m, n) rows of the shorter length
    return int(_rref(M, p, BLOCK_ROWS + (BASE_ROWS,))[0].size)
