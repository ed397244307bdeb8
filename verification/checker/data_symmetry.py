"""The checker's side of data-symmetry certificates (``"flow": {"kind": "data-symmetry", …}``), independent of
:mod:`conslaw.algebra.data_symmetry`, which writes them.

A data-symmetry certificate stores its generator fields (``generators.fields``: the span of the loss gradients
over the augmented data sets, found by the producer with sparse polynomial rings and FLINT).  The checker does not
take them on trust: it rebuilds the model f(θ, x) and the group from the certificate's ``architecture`` with SymPy
expressions and its own copy of the named groups, forms its own spanning family (square loss: the x-coefficients
of Σ_g Σ_c f_c(gx)∇f_c(gx) and of Σ_g ∇f_c(gx); logistic loss: of Σ_g f(gx)^k ∇f(gx) for the stored orders k,
each checked to have ℓ^{(k+1)}(0) ≠ 0 from the series of ℓ(z) = log(1 + e^{−z}); for ``so2``, the rotation with
symbolic cos t, sin t averaged by SymPy's own integrals), and requires the two spans to be
equal (exact ranks over QQ).  The usual claims — laws, independence, witness rank — are then checked on the
stored fields.  Laws may be rational, ``{"numerator": …, "denominator": …}``: A/B is conserved by X iff
B·X(A) − A·X(B) ≡ 0.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import sympy

from .exact import _rank
from .reading import (
    LIMITS,
    CertificateFormatError,
    _expr,
    _int,
    _need,
    _polynomial,
    _show,
)
from .running import _budget, tick

GROUPS = {  # the checker's own copy: generators acting on one token's features
    "sign": [[[-1, 0], [0, -1]]],
    "c4": [[[0, -1], [1, 0]]],
    "c3": [[[0, -1], [1, -1]]],
    "c3-shift": [[[0, 0, 1], [1, 0, 0], [0, 1, 0]]],
}
GROUP_ORDERS = {"sign": 2, "c4": 4, "c3": 3, "c3-shift": 3}
MAX_ORDER = 64
LOSSES = ("square", "logistic")


def _closure(generators: list[sympy.Matrix]) -> list[sympy.Matrix]:
    size = generators[0].shape[0]
    elements = {sympy.ImmutableMatrix(sympy.eye(size))}
    frontier = list(elements)
    while frontier:
        new = []
        for a in frontier:
            for g in generators:
                c = sympy.ImmutableMatrix(g * a)
                if c not in elements:
                    elements.add(c)
                    new.append(c)
        _need(len(elements) <= MAX_ORDER, f"the group has more than {MAX_ORDER} elements")
        frontier = new
    return [sympy.Matrix(e) for e in elements]


def rebuild_model(spec: Any) -> tuple[list[str], list[sympy.Symbol], list[sympy.Expr], list[sympy.Matrix]]:
    """(θ names, x symbols, outputs f_c(θ, x), group elements) of an augmented model named in the certificate."""
    _need(isinstance(spec, dict), f"\"architecture\" must be an object, got {_show(spec)}")
    name = spec.get("name")
    if name == "augmented-c3-linear":
        c = _int(spec.get("outputs"), "architecture outputs", 1, 8)
        names = [f"W[{i},{j}]" for i in range(c) for j in range(3)]
        W = sympy.Matrix(c, 3, [sympy.Symbol(n) for n in names])
        x = sympy.Matrix([sympy.Symbol(f"x[{i}]") for i in range(3)])
        shift = sympy.Matrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
        return names, list(x), list(W * x), _closure([shift])
    if name == "augmented-lightning-attention":
        # bounded before any algebra: the checker expands powers of f, so the sizes stay small
        tokens, d, k = (_int(spec.get(key), f"architecture {key}", 1, high)
                        for key, high in (("tokens", 2), ("d", 3), ("k", 3)))
        group = spec.get("group")
        _need(group in GROUPS or group == "so2", f"unknown feature group {_show(group)}")
        _need(group == "so2" and d >= 2 or group in GROUPS and len(GROUPS[group][0]) == d,
              f"the group {group!r} does not act on d = {d} features")
        Q = sympy.Matrix(d, k, lambda i, j: sympy.Symbol(f"Q[{i},{j}]"))
        K = sympy.Matrix(d, k, lambda i, j: sympy.Symbol(f"K[{i},{j}]"))
        v = sympy.Matrix([sympy.Symbol(f"v[{i}]") for i in range(d)])
        X = sympy.Matrix(tokens, d, lambda a, i: sympy.Symbol(f"X[{a},{i}]"))
        names = [str(s) for s in list(Q) + list(K) + list(v)]
        scores = X * Q * K.T * X.T  # (x_aᵀ Q Kᵀ x_b)
        values = X * v
        outputs = [sympy.expand(sum(scores[a, b] * values[b] for b in range(tokens))) for a in range(tokens)]
        if group == "so2":  # R(t) on the first two features of every token, averaged over t (Haar)
            c, s_ = sympy.Symbol("cos_t"), sympy.Symbol("sin_t")
            g = sympy.eye(d)
            g[0, 0], g[0, 1], g[1, 0], g[1, 1] = c, -s_, s_, c
            return names, list(X), outputs, [sympy.diag(*([g] * tokens))]
        g = sympy.Matrix(GROUPS[group][0])
        per_token = sympy.diag(*([g] * tokens))  # acts on X flattened row-major: token by token
        return names, list(X), outputs, _closure([per_token])
    raise CertificateFormatError(f"unknown augmented model {_show(name)}")


def _span_units(spec: Any, flow: Any) -> int:
    """Units of :func:`_own_span`, from the sizes alone: |G| × T_f^(k+1) × D for the largest power k of the model
    f (T_f its terms; square loss k = 1), priced 4 units a term; under SO(2) 600 units a term of f² (SymPy's
    integrals of the monomials in cos t, sin t), measured on 2 cores (``benchmarks/checker_limits.py``)."""
    _need(isinstance(spec, dict) and isinstance(flow, dict), "\"architecture\" and \"flow\" must be objects")
    if spec.get("name") != "augmented-lightning-attention":
        return 0  # c3-linear: at most 8 outputs of 3 terms, a few thousand units
    tokens, d, k = (_int(spec.get(key), f"architecture {key}", 1, high) for key, high in (("tokens", 2), ("d", 3), ("k", 3)))
    orders = flow.get("orders", [1]) if flow.get("loss") != "square" else [1]
    top = max((o for o in orders if isinstance(o, int) and not isinstance(o, bool)), default=1) \
        if isinstance(orders, list) else 1
    terms = tokens * tokens * d * d * k * d
    if spec.get("group") == "so2":  # SymPy integrates each monomial in cos t, sin t: 600 units a term
        return 600 * terms ** 2 * (2 * d * k + d)
    return 4 * GROUP_ORDERS.get(spec.get("group"), 64) * terms ** (max(top, 1) + 1) * (2 * d * k + d)


def _logistic_orders_ok(orders: list[int]) -> list[int]:
    """The stored orders whose Taylor coefficient of ℓ' at 0 vanishes (they would not be constraints)."""
    z = sympy.Symbol("z")
    top = max(orders) + 2
    series = sympy.series(sympy.diff(sympy.log(1 + sympy.exp(-z)), z), z, 0, top).removeO()
    return [k for k in orders if series.coeff(z, k) == 0]


def _haar(expr: sympy.Expr) -> sympy.Expr:
    """E_t[expr] for t uniform on the circle, expr polynomial in cos_t, sin_t: ∫ cos^m sin^n dt / 2π by SymPy's
    own integration of each monomial (an independent path from the producer's double-factorial formula)."""
    c, s_ = sympy.Symbol("cos_t"), sympy.Symbol("sin_t")
    poly = sympy.Poly(sympy.expand(expr), c, s_)
    total = sympy.Integer(0)
    for (m, n), coeff in poly.as_dict().items():
        total += coeff * _moment(m, n)
    return sympy.expand(total)


@lru_cache(maxsize=None)
def _moment(m: int, n: int) -> sympy.Expr:
    """E_t[cos^m t sin^n t] = ∫_0^{2π} cos^m sin^n dt / 2π, by SymPy's integration (each (m, n) once)."""
    t = sympy.Symbol("t")
    return sympy.integrate(sympy.cos(t) ** m * sympy.sin(t) ** n, (t, 0, 2 * sympy.pi)) / (2 * sympy.pi)


def _own_span(flow: dict, theta: list, x: list, outputs: list, group: list) -> list[list[sympy.Expr]]:
    """The checker's spanning family of fields (lists of θ-expressions), from the x-coefficients."""
    loss = flow.get("loss")
    _need(loss in LOSSES, f"unknown loss {_show(loss)}")
    xs = sympy.Matrix(x)
    acted = [[f.xreplace(dict(zip(x, list(g * xs)))) for f in outputs] for g in group] \
        if flow.get("augmented", True) else [outputs]
    rotation = any(g.free_symbols for g in group) and flow.get("augmented", True)
    average = _haar if rotation else (lambda e: e)
    raw = []
    if loss == "square":
        raw.append([average(sum(f * sympy.diff(f, t) for outs in acted for f in outs)) for t in theta])
        for c in range(len(outputs)):
            raw.append([average(sum(sympy.diff(outs[c], t) for outs in acted)) for t in theta])
    else:
        orders = flow.get("orders")
        _need(isinstance(orders, list) and 0 < len(orders) <= 4, f"\"orders\" must be a short list, got {_show(orders)}")
        orders = [_int(k, "an order", 0, 5) for k in orders]
        _need(len(outputs) == 1, "a margin loss needs one output")
        bad = _logistic_orders_ok(orders)
        _need(not bad, f"the logistic loss has no Taylor term at the orders {bad}: they are not constraints")
        for k in orders:
            tick("rebuilding the span of the augmented loss gradients")
            raw.append([average(sum(outs[0] ** k * sympy.diff(outs[0], t) for outs in acted)) for t in theta])
    fields = []
    for comps in raw:  # one field per monomial in x, for each family
        tick("rebuilding the span of the augmented loss gradients")
        by_monomial: dict[tuple, list] = {}
        for i, comp in enumerate(comps):
            comp = sympy.expand(comp)
            if comp == 0:
                continue
            for monom, coeff in sympy.Poly(comp, *x).as_dict().items():
                by_monomial.setdefault(monom, [sympy.Integer(0)] * len(theta))[i] = coeff
        fields += list(by_monomial.values())
    return fields


def _vectors(fields: list[list], theta: list) -> list[dict]:
    rows = []
    for comps in fields:
        row = {}
        for i, comp in enumerate(comps):
            if comp != 0:
                for monom, c in sympy.Poly(sympy.expand(comp), *theta).as_dict().items():
                    row[(i, monom)] = c
        rows.append(row)
    return rows


def _rank_of(rows: list[dict], keys: list) -> int:
    return _rank([[r.get(k, 0) for k in keys] for r in rows]) if rows and keys else 0


def data_symmetry_generators(cert: dict, names: list[str], symbols: list, version: int,
                             fails: list[str], facts: list[str]) -> tuple[list[sympy.Matrix], Callable[[], None]]:
    """(the stored fields, a check that they span what the checker's own rebuild spans).  The check is the costly
    part: the caller runs it after the cheap claims on the stored fields hold (both must hold; the order only
    makes a certificate whose laws fail fail fast).  It appends its failure or fact to ``fails``/``facts``."""
    flow = cert["flow"]
    _budget(_span_units(cert["architecture"], flow), "rebuilding the span of the augmented loss gradients")
    theta_names, x, outputs, group = rebuild_model(cert["architecture"])
    _need(names == theta_names, "the certificate's parameters are not those of the model it names")
    stored_spec = cert["generators"].get("fields")
    _need(isinstance(stored_spec, list) and len(stored_spec) <= LIMITS.max_brackets,
          "\"generators\" must hold a list \"fields\" of at most "
          f"{LIMITS.max_brackets} fields")
    stored = []
    for k, comps in enumerate(stored_spec):
        _need(isinstance(comps, list) and len(comps) == len(names), f"field {k} must have {len(names)} components")
        stored.append([_expr(_polynomial(c, f"field {k} component {i}", version, names, fails), symbols)
                       for i, c in enumerate(comps)])

    def same_span() -> None:
        own = _own_span(flow, symbols, x, outputs, group)
        rows_stored, rows_own = _vectors(stored, symbols), _vectors(own, symbols)
        keys = sorted({k for r in rows_stored + rows_own for k in r}, key=str)
        r_stored, r_own = _rank_of(rows_stored, keys), _rank_of(rows_own, keys)
        r_union = _rank_of(rows_stored + rows_own, keys)
        if not (r_stored == r_own == r_union):
            fails.append(f"the stored fields (span of dimension {r_stored}) do not span the loss gradients the "
                         f"checker rebuilt (dimension {r_own}; together {r_union})")
        else:
            order = ("SO(2), Haar-averaged" if any(g.free_symbols for g in group) else f"of order {len(group)}") \
                if flow.get("augmented", True) else "of order 1"
            facts.append(f"the {len(stored)} stored fields span the same space (dimension {r_own}) as the loss "
                         f"gradients rebuilt independently ({flow['loss']} loss, group {order})")

    return [sympy.Matrix(comps) for comps in stored], same_span


__all__ = ["GROUPS", "data_symmetry_generators", "rebuild_model"]
