"""Exact ranks mod p on float64 BLAS products: the producer's :func:`rank_mod_p` and the checker's own
:func:`dense_rank`, each against FLINT's ``nmod_mat.rank`` (an independent code path), on matrices of known rank
built as products of random factors, with blocks smaller than the matrix so that every level of the recursion
and the inner-dimension cut of the exact products run."""
from __future__ import annotations

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conslaw.verification.checker import modular_loops
from conslaw.verification.checker.modular_loops import dense_rank
from conslaw.verification.proofs import rank_mod_p as producer
from conslaw.verification.proofs.rank_mod_p import inner_limit, rank_mod_p

PRIMES = [2, 3, 251, 65_521, 1_048_573, 33_554_393]  # the last: just below 2**25


def _matrix(seed: int, m: int, n: int, r: int, p: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.integers(0, p, (m, r)) @ rng.integers(0, min(p, 1000), (r, n))) % p if r else np.zeros((m, n), int)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 90), st.integers(1, 90), st.integers(0, 40), st.sampled_from(PRIMES))
def test_both_ranks_match_flint(seed, m, n, r, p):
    A = _matrix(seed, m, n, min(r, m, n), p)
    expected = flint.nmod_mat(A.tolist(), p).rank()
    assert rank_mod_p(A, p) == expected
    assert dense_rank(A, p) == expected


@pytest.mark.parametrize("p", [65_521, 1_048_573])
def test_small_blocks_and_a_cut_inner_dimension(monkeypatch, p):
    """Blocks of 16 and 4 rows, leaves of 2, and an inner dimension cut every 5 columns: the same ranks."""
    monkeypatch.setattr(producer, "BLOCK_ROWS", (16, 4))
    monkeypatch.setattr(producer, "BASE_ROWS", 2)
    monkeypatch.setattr(producer, "inner_limit", lambda q: 5)
    monkeypatch.setattr(modular_loops, "ECHELON_LEAF", 2)
    for seed, (m, n, r) in enumerate([(60, 45, 30), (45, 60, 45), (64, 64, 63), (33, 70, 1)]):
        A = _matrix(seed, m, n, r, p)
        expected = flint.nmod_mat(A.tolist(), p).rank()
        assert rank_mod_p(A, p) == dense_rank(A, p) == expected


def test_the_inner_limit_keeps_sums_exact():
    p = 1_048_573
    assert inner_limit(p) * (p - 1) ** 2 + p <= 2**53 < (inner_limit(p) + 1) * (p - 1) ** 2 + p
    with pytest.raises(ValueError, match="prime below 2\\*\\*26"):
        rank_mod_p(np.eye(2, dtype=np.int64), 2**26 + 15)
