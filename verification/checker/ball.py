"""Check a ball-arithmetic rank certificate (format ``conslaw-ball-rank``, :mod:`conslaw.verification.proofs.
ball_rank`) with the checker's own code: the model's fields and brackets are rebuilt from the architecture by
*forward* differentiation of the field's scalar, never the producer's reverse pass, in :class:`flint.arb` balls —
attention: f = ⟨W, Y(θ, X)⟩ with Y = Σ_h softmax(X Q_h K_hᵀ Xᵀ) X V_h O_hᵀ (eq. (19)); the classification layer
(eq. (20)): f = CE(softmax(W z + b), y) = log Σ_k e^{u_k} − ⟨y, u⟩, u = W z + b, for a label y that the checker
confirms is a probability vector (else the row is no cross-entropy gradient and the certificate is refused).
The r × r minor on the stated rows and columns is then recomputed by FLINT's ball determinant, and the claim
dim Lie(model)(θ) ≥ r holds when its ball excludes 0.

Trusted base: the standard library, the checker's rational reader and FLINT's ``arb``/``arb_mat`` (rigorous
balls); nothing of the producer.  Numbers: a :class:`_Num` is f + ε₁·∇f + ε₂·(∂_v f) + ε₁ε₂·∇(∂_v f) with ε₁, ε₂
nilpotent, the ε₁ parts as 1 × D ball vectors, so one evaluation of f gives a field value ∇f(θ) and, along v, a
Hessian-vector product H_f(θ) v.  Input is data: rationals are read by the grammar's reader with digit bounds,
sizes are bounded before any evaluation, and the precision is capped.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from .reading import CheckReport, _int, _need, _rational, _show

MAX_D = 400
MAX_TOKENS = 8
MAX_PRECISION = 8192
MAX_EVALUATIONS = 20_000  # forward evaluations of Y (each a few hundred ball operations on D-vectors)


class _Num:
    """a + ε₁ g + ε₂ s + ε₁ε₂ h: a, s balls; g, h 1 × D ball vectors (or None for 0)."""

    __slots__ = ("a", "g", "s", "h")

    def __init__(self, a, g=None, s=None, h=None):
        self.a, self.g, self.s, self.h = a, g, s, h

    def __add__(self, o: "_Num") -> "_Num":
        return _Num(self.a + o.a, _plus(self.g, o.g), _plus(self.s, o.s), _plus(self.h, o.h))

    def __sub__(self, o: "_Num") -> "_Num":
        return self + o.scaled(flint.arb(-1))

    def scaled(self, c) -> "_Num":
        return _Num(self.a * c, None if self.g is None else self.g * c, None if self.s is None else self.s * c,
                    None if self.h is None else self.h * c)

    def __mul__(self, o: "_Num") -> "_Num":
        g = _plus(_times(self.g, o.a), _times(o.g, self.a))
        s = _plus(_times(self.s, o.a), _times(o.s, self.a))
        h = _plus(_plus(_times(self.h, o.a), _times(o.h, self.a)), _plus(_times(self.g, o.s), _times(o.g, self.s)))
        return _Num(self.a * o.a, g, s, h)

    def exp(self) -> "_Num":
        e = self.a.exp()  # e^(a + u) = e^a (1 + u + u²/2), u the nilpotent part: u² = 2 ε₁ε₂ g s
        h = _plus(self.h, _times(self.g, self.s))
        return _Num(e, _times(self.g, e), _times(self.s, e), _times(h, e))

    def log(self) -> "_Num":
        """log(a + u) = log a + u/a − u²/(2a²), u² = 2 ε₁ε₂ g s (for a ball a > 0)."""
        r = 1 / self.a
        h = _plus(_times(self.h, r), _times(self.g, None if self.s is None else -self.s * r * r))
        return _Num(self.a.log(), _times(self.g, r), _times(self.s, r), h)

    def inverse(self) -> "_Num":
        """1/(a + u) = (1/a)(1 − u/a + u²/a²)."""
        r = 1 / self.a
        g = _times(self.g, -r * r)
        s = _times(self.s, -r * r)
        h = _plus(_times(self.h, -r * r), _times(self.g, None if self.s is None else 2 * self.s * r * r * r))
        return _Num(r, g, s, h)


def _plus(x, y):
    if x is None:
        return y
    if y is None:
        return x
    return x + y


def _times(x, c):
    return None if x is None or c is None else x * c


@dataclass(frozen=True)
class _Shape:
    """The attention model: a row's data is (X, W), both N × d."""

    d: int
    dk: int
    dv: int
    heads: int
    tokens: int

    @property
    def D(self) -> int:
        return self.heads * (2 * self.d * self.dk + 2 * self.d * self.dv)

    def data_shapes(self) -> tuple:
        return (self.tokens, self.d), (self.tokens, self.d)

    def objective(self, theta: list, data: tuple) -> "_Num":
        return _objective(self, theta, *data)

    def describe(self) -> str:
        return (f"attention model rebuilt (d = {self.d}, d' = {self.dk}, d'' = {self.dv}, {self.heads} head(s), "
                f"N = {self.tokens} tokens)")


@dataclass(frozen=True)
class _Classifier:
    """The cross-entropy classification layer: a row's data is (z, y) as 1 × n and 1 × K rows, y a probability
    vector (checked on the rationals, before any evaluation)."""

    n: int
    classes: int
    bias: bool

    @property
    def D(self) -> int:
        return self.classes * (self.n + int(self.bias))

    def data_shapes(self) -> tuple:
        return (1, self.n), (1, self.classes)

    def objective(self, theta: list, data: tuple) -> "_Num":
        """CE(softmax(u), y) = log Σ_k e^{u_k} − Σ_k y_k u_k with u_k = Σ_j W_kj z_j (+ b_k), forward."""
        (z,), (y,) = data
        n, K = self.n, self.classes
        u = []
        for k in range(K):
            total = _dot([(z[j], theta[k * n + j]) for j in range(n)])
            u.append(total + theta[K * n + k] if self.bias else total)
        return _sum([x.exp() for x in u]).log() - _dot(list(zip(y, u)))

    def describe(self) -> str:
        return (f"cross-entropy classification layer rebuilt (n = {self.n} inputs, K = {self.classes} classes"
                + (", with a bias)" if self.bias else ")"))


def _objective(shape: _Shape, theta: list, X: list, W: list) -> _Num:
    """f = ⟨W, Y(θ, X)⟩ evaluated forward: S = X Q Kᵀ Xᵀ entry by entry, softmax, then Σ_ij W_ij (A X V Oᵀ)_ij."""
    d, dk, dv, N = shape.d, shape.dk, shape.dv, shape.tokens
    total = _Num(flint.arb(0))
    at = 0
    for _ in range(shape.heads):
        def block(rows: int, cols: int):
            nonlocal at
            out = [[theta[at + r * cols + c] for c in range(cols)] for r in range(rows)]
            at += rows * cols
            return out
        Q, K, V, O = block(d, dk), block(d, dk), block(d, dv), block(d, dv)
        xq = [[_dot([(X[n][i], Q[i][a]) for i in range(d)]) for a in range(dk)] for n in range(N)]
        xk = [[_dot([(X[n][i], K[i][a]) for i in range(d)]) for a in range(dk)] for n in range(N)]
        xv = [[_dot([(X[n][i], V[i][a]) for i in range(d)]) for a in range(dv)] for n in range(N)]
        for n in range(N):
            e = [_sum([xq[n][a] * xk[m][a] for a in range(dk)]).exp() for m in range(N)]
            inv = _sum(e).inverse()
            for j in range(d):  # row n of A X V Oᵀ, column j, against W[n][j]
                value = _sum([e[m] * _sum([xv[m][a] * O[j][a] for a in range(dv)]) for m in range(N)])
                total = total + (value * inv).scaled(W[n][j])
    return total


def _dot(pairs: list) -> _Num:
    """Σ c · θ-number over (rational ball c, _Num) pairs."""
    return _sum([num.scaled(c) for c, num in pairs])


def _sum(items: list) -> _Num:
    out = items[0]
    for x in items[1:]:
        out = out + x
    return out


def _theta(point: list, D: int, direction=None) -> list:
    """θ as numbers: θ_i + ε₁ e_i (+ ε₂ v_i)."""
    out = []
    for i, t in enumerate(point):
        unit = flint.arb_mat(1, D)
        unit[0, i] = 1
        out.append(_Num(t, unit, None if direction is None else direction[i]))
    return out


def _row_entries(shape: _Shape, point: list, row: tuple, columns: list) -> list:
    """The row's value at θ on ``columns``: a field ∇f, or a bracket H_b ∇f_a − H_a ∇f_b."""
    D = shape.D
    if row[0] == "field":
        g = shape.objective(_theta(point, D), row[1]).g
        return [g[0, c] for c in columns]
    a, b = row[1]
    ga = shape.objective(_theta(point, D), a).g
    gb = shape.objective(_theta(point, D), b).g
    hb_ga = shape.objective(_theta(point, D, [ga[0, i] for i in range(D)]), b).h
    ha_gb = shape.objective(_theta(point, D, [gb[0, i] for i in range(D)]), a).h
    return [hb_ga[0, c] - ha_gb[0, c] for c in columns]


def _ball(q: Fraction):
    """The ball of a rational at the current precision (it contains q exactly)."""
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _rational_matrix(value: Any, rows: int, cols: int, what: str) -> list:
    _need(isinstance(value, list) and len(value) == rows and all(isinstance(r, list) and len(r) == cols
                                                                for r in value),
          f"{what} must be a {rows} x {cols} list of rationals")
    return [[_rational(v, what) for v in r] for r in value]


def _balls(row: tuple) -> tuple:
    """A parsed row with its rationals as balls at the current precision."""
    def balls(data: tuple) -> tuple:
        return tuple([[_ball(q) for q in r] for r in m] for m in data)

    if row[0] == "field":
        return "field", balls(row[1])
    return "bracket", tuple(balls(data) for data in row[1])


def _model(arch: Any):
    """The model a certificate names, its sizes bounded."""
    _need(isinstance(arch, dict) and arch.get("name") in ("attention", "softmax"),
          f"the architecture must be {{\"name\": \"attention\" or \"softmax\", ...}}, got {_show(arch)}")
    if arch["name"] == "softmax":
        bias = arch.get("bias")
        _need(isinstance(bias, bool), f"architecture bias must be true or false, got {_show(bias)}")
        return _Classifier(_int(arch.get("n"), "architecture n", 1, MAX_D),
                           _int(arch.get("classes"), "architecture classes", 2, MAX_D), bias)
    return _Shape(*(_int(arch.get(k), f"architecture {k}", 1, MAX_D) for k in ("d", "dk", "dv", "heads")),
                  _int(arch.get("tokens"), "architecture tokens", 1, MAX_TOKENS))


def _data(shape, value: Any, what: str) -> tuple:
    """A field's data as the model reads it (rationals in the stated shapes; a classifier's label a probability
    vector: its field is then a cross-entropy gradient, in the model's algebra)."""
    shapes = shape.data_shapes()
    _need(isinstance(value, list) and len(value) == len(shapes), f"{what}: a field is a list of {len(shapes)} matrices")
    data = tuple(_rational_matrix(m, r, c, what) for m, (r, c) in zip(value, shapes))
    if isinstance(shape, _Classifier):
        y = data[1][0]
        _need(all(v >= 0 for v in y) and sum(y) == 1,
              f"{what}: the label y must be a probability vector (entries >= 0 summing to 1), got sum {sum(y)}: "
              "otherwise the row is not a cross-entropy gradient of the model")
    return data


def check_ball_certificate(cert: dict) -> CheckReport:
    """Rebuild the rows on the stated columns at the stated precision (doubled up to 4× while the determinant's
    ball contains 0) and confirm that the minor is nonzero: dim Lie(model)(θ) ≥ the stated rank."""
    shape = _model(cert.get("architecture"))
    D = shape.D
    _need(D <= MAX_D, f"D = {D} is over the ball checker's limit of {MAX_D}")
    rank = _int(cert.get("rank"), "rank", 0, D)
    columns, rows = cert.get("columns"), cert.get("rows")
    _need(isinstance(columns, list) and len(columns) == rank, f"\"columns\" must list {rank} parameter indices")
    columns = [_int(c, "column", 0, D - 1) for c in columns]
    _need(len(set(columns)) == rank, "the columns must be distinct")
    _need(isinstance(rows, list) and len(rows) == rank, f"\"rows\" must hold {rank} rows")
    evaluations = sum(1 if isinstance(r, dict) and "field" in r else 4 for r in rows)
    _need(evaluations <= MAX_EVALUATIONS, f"{evaluations} evaluations, over the ball checker's limit")
    bits = _int(cert.get("precision"), "precision", 53, MAX_PRECISION)
    point = cert.get("point")
    _need(isinstance(point, list) and len(point) == D, f"\"point\" must hold D = {D} rationals")
    point = [_rational(v, "point") for v in point]
    parsed = []
    for n, r in enumerate(rows):
        _need(isinstance(r, dict) and len(r) == 1 and ("field" in r or "bracket" in r),
              f"row {n} must be {{\"field\": data}} or {{\"bracket\": [data, data']}}")
        if "field" in r:
            parsed.append(("field", _data(shape, r["field"], f"row {n}")))
        else:
            pair = r["bracket"]
            _need(isinstance(pair, list) and len(pair) == 2, f"row {n}: a bracket is [data, data']")
            parsed.append(("bracket", tuple(_data(shape, p, f"row {n}") for p in pair)))
    facts = [f"{shape.describe()}: D = {D}"]
    det = flint.arb(1)
    old = flint.ctx.prec
    try:
        for attempt in range(3):
            flint.ctx.prec = min(bits << attempt, MAX_PRECISION)
            theta = [_ball(q) for q in point]  # the rationals as balls at this precision
            values = [_row_entries(shape, theta, _balls(r), columns) for r in parsed]
            det = flint.arb_mat(values).det() if rank else flint.arb(1)
            if not det.contains(0):
                break
        used = flint.ctx.prec
    finally:
        flint.ctx.prec = old
    if det.contains(0):
        return CheckReport(False, [f"the {rank} x {rank} minor's determinant {det} contains 0 at up to {used} bits: "
                                   "the rank is not shown"], facts, {}, "model")
    facts.append(f"the {rank} x {rank} minor recomputed forward in ball arithmetic at {used} bits: determinant {det}, "
                 "which excludes 0")
    return CheckReport(True, [], facts, {"status": "rank at least", "rank": rank}, "model")


__all__ = ["check_ball_certificate"]
