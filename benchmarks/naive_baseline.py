"""A deliberately plain implementation of the 2023 paper's counting algorithm, as a baseline.

It does what the reference SageMath code does, but exactly: symbolic
brackets as SymPy *expression trees* (``Matrix.jacobian``), every bracket of
a generator with a field of the previous level, and a *full* exact rank of
the values at the point for each candidate (no incremental echelon form, no
modular screen).  Used only by the benchmarks, to report speed-ups measured
in the same process.
"""
from __future__ import annotations

import time

import sympy


def naive_trace_rank(phi_exprs, symbols, point, time_limit: float = 60.0):
    """(rank, seconds) or (None, seconds) when ``time_limit`` is exceeded."""
    t0 = time.perf_counter()
    theta = sympy.Matrix(symbols)
    subs = dict(zip(symbols, point))
    gens = [sympy.Matrix([sympy.diff(p, s) for s in symbols]) for p in phi_exprs]
    kept, values = [], []

    def try_add(field):
        val = field.subs(subs)
        if values and sympy.Matrix.hstack(*values, val).rank() == len(values):
            return False
        if not values and val.is_zero_matrix:
            return False
        values.append(val)
        kept.append(field)
        return True

    for g in gens:
        try_add(g)
    base = list(kept)
    frontier = list(kept)
    while frontier:
        new = []
        for y in frontier:
            for g in base:
                if time.perf_counter() - t0 > time_limit:
                    return None, time.perf_counter() - t0
                z = y.jacobian(theta) * g - g.jacobian(theta) * y
                z = z.applyfunc(sympy.expand)
                if try_add(z):
                    new.append(z)
        frontier = new
    return len(values), time.perf_counter() - t0
