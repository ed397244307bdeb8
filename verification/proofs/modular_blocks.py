"""Blocks of parameters that do not interact, for the modular route (issue 24, items 1, 2 and 5).

Two parameters are linked when they appear in the same component of φ; the connected classes of this relation
are the *blocks*.  Each generator ∇φ_k is supported on one block, and a bracket of two fields supported on
disjoint blocks vanishes ([X, Y] = DY·X − DX·Y, and DY·X = 0 when Y does not depend on X's coordinates), so

    Lie(V_φ) = ⊕_b Lie(V_{φ_b})   and   dim Lie(V_φ)(θ) = Σ_b dim Lie(V_{φ_b})(θ_b),

where φ_b are the components on block b.  A two-layer ReLU network has one block per hidden neuron and attention
two per head (Q, K and V, O), so a rank over D = 5,000 columns becomes fifty ranks over 100.  The blocks are
independent pieces of work: :func:`blocked_rank` runs them in this process or on Dask workers
(:class:`.fanout.Executor`), with random draws seeded per block, so the result does not depend on the executor.
"""
from __future__ import annotations

import time

import numpy as np

from .fanout import Executor
from .modular_rank import ModularRank, gradient_rank_mod, lie_rank_lower_bound
from .poly_table import PolynomialTable


def variable_blocks(table: PolynomialTable) -> np.ndarray:
    """The block label of each variable (the smallest variable of its block; −1 for one no component uses):
    union of the variables of each component, by min-label propagation with pointer jumping."""
    D = table.D
    label = np.arange(D, dtype=np.int64)
    used = np.zeros(D, dtype=bool)
    if table.degree == 0:
        return np.full(D, -1, dtype=np.int64)
    var = table.var
    present = var >= 0
    used[var[present]] = True
    # edges: each variable of a term to its component's first variable
    first_var = np.full(table.K, -1, dtype=np.int64)
    rows = np.flatnonzero(present[:, 0])
    first_var[table.comp[rows[::-1]]] = var[rows[::-1], 0]  # the first term's first variable wins (reversed)
    u = var[present]
    v = first_var[np.repeat(table.comp, present.sum(axis=1))]
    keep = v >= 0
    u, v = u[keep], v[keep]
    while True:
        low = np.minimum(label[u], label[v])
        before = label.copy()
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        while True:  # pointer jumping: each label to its label's label
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            break
    label[~used] = -1
    return label


def restrict(table: PolynomialTable, variables: np.ndarray, comps: np.ndarray) -> PolynomialTable:
    """The components ``comps`` of ``table`` (all on ``variables``) as a table of their own, numbered 0 … len − 1
    in both."""
    new_var = np.full(table.D, -1, dtype=np.int64)
    new_var[variables] = np.arange(len(variables))
    new_comp = np.full(table.K, -1, dtype=np.int64)
    new_comp[comps] = np.arange(len(comps))
    terms = np.flatnonzero(new_comp[table.comp] >= 0)
    var = table.var[terms]
    var = np.where(var >= 0, new_var[np.maximum(var, 0)], -1)
    return PolynomialTable(len(variables), len(comps), new_comp[table.comp[terms]], table.coef[terms], var)


def component_blocks(table: PolynomialTable, label: np.ndarray) -> np.ndarray:
    """The block label of each component (−1 for a constant one)."""
    out = np.full(table.K, -1, dtype=np.int64)
    if table.degree:
        has = table.var[:, 0] >= 0
        out[table.comp[has]] = label[table.var[has, 0]]
    return out


def _rank_pieces(piece: list, p: int, seed: int) -> list[ModularRank]:
    """One task: the rank bound of each block in ``piece`` ((index, table, target, point) each)."""
    return [lie_rank_lower_bound(sub, target, seed=seed, p=p, point=point, stream=(index,))
            for index, sub, target, point in piece]


def blocked_rank(phi: PolynomialTable, laws: PolynomialTable, point: np.ndarray, p: int, *, seed: int = 0,
                 run: Executor = Executor()) -> tuple[ModularRank, dict]:
    """The lower bound of :func:`~.modular_rank.lie_rank_lower_bound`, block by block (module docstring), each
    grown to D_b − L_b (L_b the rank mod p of the gradients of the laws that live on block b); merged into one
    :class:`ModularRank` whose rows are numbered in ``phi``'s components.  Also returns a summary of the blocks."""
    t0 = time.perf_counter()
    label = variable_blocks(phi)
    names = np.unique(label[label >= 0])
    comp_block = component_blocks(phi, label)
    law_block = component_blocks(laws, label) if laws.K else np.zeros(0, dtype=np.int64)
    if laws.K:  # a law on several blocks is attributed to none (its block's target is then only higher)
        spans = laws.var >= 0
        first = np.where(spans, label[np.maximum(laws.var, 0)], -1)
        mixed = np.zeros(laws.K, dtype=bool)
        for c in range(first.shape[1]):
            np.logical_or.at(mixed, laws.comp, spans[:, c] & (first[:, c] != law_block[laws.comp]))
        law_block[mixed] = -1
    items = []
    for index, name in enumerate(names.tolist()):
        variables = np.flatnonzero(label == name)
        comps = np.flatnonzero(comp_block == name)
        sub = restrict(phi, variables, comps)
        law_comps = np.flatnonzero(law_block == name)
        L_b = gradient_rank_mod(restrict(laws, variables, law_comps), point[variables], p) if law_comps.size else 0
        items.append((index, sub, len(variables) - L_b, point[variables], variables, comps))
    per_task = max(1, -(-len(items) // (4 * run.workers))) if run.client is not None else max(1, len(items))
    pieces = [[it[:4] for it in items[i:i + per_task]] for i in range(0, len(items), per_task)]
    results = [r for chunk in run.map(_rank_pieces, pieces, p, seed) for r in chunk]
    merged = _merge(results, items, phi.K, p, point, seed)
    merged.seconds = time.perf_counter() - t0
    largest = max((len(it[4]) for it in items), default=0)
    summary = {"blocks": len(items), "largest_block_parameters": largest, "executor": run.description,
               "tasks": len(pieces)}
    return merged, summary


def _merge(results: list[ModularRank], items: list, K: int, p: int, point: np.ndarray, seed: int) -> ModularRank:
    """One :class:`ModularRank` from the blocks': ranks and rows added, component indices made global; the rank
    after each level is the sum of each block's rank after its last step at or below that level."""
    out = ModularRank(0, 0, p, [int(v) for v in point], seed)
    bucket, coef, offset = np.full(K, -1, dtype=np.int64), np.zeros(K, dtype=np.int64), 0
    for r, (_, _, target, _, _, comps) in zip(results, items):
        out.rank += r.rank
        out.target += target
        if r.level0:
            b, c, rows = r.level0
            bucket[comps] = offset + b
            coef[comps] = c
            offset += rows
        out.bracket_draws += [(comps[ca], wa, comps[cb], wb) for ca, wa, cb, wb in r.bracket_draws]
        out.level2_draws += [(comps[ca], wa, comps[cb], wb, comps[cc], wc)
                             for ca, wa, cb, wb, cc, wc in r.level2_draws]
    out.level0 = (bucket, coef, offset)
    for level in sorted({lv["level"] for r in results for lv in r.levels}):
        steps = [lv for r in results for lv in r.levels if lv["level"] == level]
        rows = sum(lv["rows"] for lv in steps)
        rank = sum(([lv["rank_mod_p"] for lv in r.levels if lv["level"] <= level] or [0])[-1] for r in results)
        out.levels.append({
            "level": level, "rows": rows, "rank_mod_p": rank, "seconds": round(sum(lv["seconds"] for lv in steps), 3),
            "what": (f"{K:,} generator values in {rows:,} random combinations" if level == 0 else
                     f"{rows:,} brackets of random combinations" if level == 1 else
                     f"{rows:,} brackets [X_a, [X_b, X_c]] of random combinations")})
    return out


__all__ = ["blocked_rank", "component_blocks", "restrict", "variable_blocks"]
