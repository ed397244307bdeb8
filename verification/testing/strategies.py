"""Hypothesis strategies for testing claims about conservation laws (public API).

Draw what a claim is about — an architecture with admissible sizes, a rational or float parameter
point (generic, or on a degenerate set the papers exclude), a batch of data, a polynomial vector
field — and let hypothesis search for a counterexample and shrink it::

    from hypothesis import given
    from conslaw.verification.testing import strategies as cst
    from conslaw.verification.testing.assertions import assert_law_count

    @given(cst.architectures(kinds=("relu", "relu-bias")))
    def test_one_law_per_hidden_neuron(inst):
        assert_law_count(inst, sum(inst.widths[1:-1]))

Architectures are drawn as :class:`~conslaw.verification.catalogue.theorems.Instance` objects (plain, frozen,
printed as ``Instance('relu', (2, 3, 1))`` in a falsifying example, built with
``inst.build()``); :func:`~conslaw.verification.testing.expectations.expected_law_count` gives the papers'
count for one.  Points print as ``[1/3, -2, 5/7]``, so a shrunk example can be pasted back.

``admissible=True`` keeps the sizes inside the hypotheses of the papers' counting results
(Prop. 3.5: r ≤ n + m; Cor. 3.9: N ≥ 2 tokens, d ≥ 2, d', d'' ≤ d; softmax with K ≥ 2 classes);
``admissible=False`` also draws the edges where formulas break (widths of 1 everywhere, more hidden
units than inputs plus outputs, deeper linear nets, key sizes beyond d).  Convolutional blocks (stride 1,
filters no longer than the signal: taps distinct mod N, Theorem 3.6) and residual blocks (equal input and
output sizes, Proposition 3.2) are drawn inside their hypotheses either way.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional, Sequence, Union

from hypothesis import strategies as st

from conslaw.algebra import ParameterSpace, PolynomialVectorField
from conslaw.algebra.architectures import SPECS
from conslaw.algebra.architectures.base import Architecture
from conslaw.algebra.architectures.sizes import architecture_sizes
from conslaw.algebra.parameters import parse_name

from ..catalogue.schema import Instance

#: the kinds :func:`architectures` draws by default: each paper's architectures at the edges of its hypotheses; on
#: request also "registered": any registry architecture at its spec's examples (:func:`registered_examples`)
KINDS = ("linear", "relu", "relu-bias", "conv", "attention", "multihead", "softmax", "residual")
DEFAULT_BOUND = 97  # the engine's own: coordinates ±a/b with 1 ≤ a, b ≤ 97 (conslaw.algebra.points)


class RationalPoint(list):
    """A list of :class:`fractions.Fraction` coordinates, printed as ``[1/3, -2, 5/7]``."""

    def __repr__(self) -> str:
        return "[" + ", ".join(str(c) for c in self) + "]"


@dataclass(frozen=True)
class DegeneratePoint:
    """A rational point on a set the papers exclude, with what makes it degenerate."""

    point: Union[RationalPoint, list]  # rational, or floats with ``floats=True``
    reason: str  # e.g. "hidden neuron 1 of layer 1 is zero (incoming and outgoing weights)"
    zeroed: tuple[str, ...]  # the parameters set to 0

    def __repr__(self) -> str:
        return f"DegeneratePoint({self.reason}: {self.point!r})"


@dataclass(frozen=True)
class DataBatch:
    """Inputs ``x`` (batch × n) and targets ``y`` (batch × m), float64 NumPy arrays."""

    x: object
    y: object

    def __repr__(self) -> str:
        return f"DataBatch(x={self.x.tolist()!r}, y={self.y.tolist()!r})"


# ------------------------------------------------------------------ architectures
def _widths(draw, low: int, high: int, hidden_layers: int) -> tuple[int, ...]:
    return tuple(draw(st.integers(low, high)) for _ in range(hidden_layers + 2))


@st.composite
def _linear(draw, admissible: bool) -> Instance:
    if admissible:  # two layers, r ≤ n + m (Prop. 3.5)
        n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        return Instance("linear", (n, draw(st.integers(1, n + m)), m))
    return Instance("linear", _widths(draw, 1, 4, draw(st.integers(1, 2))))


@st.composite
def _relu(draw, admissible: bool, bias: bool) -> Instance:
    hidden_layers = 1 if admissible else draw(st.integers(1, 2))
    return Instance("relu", _widths(draw, 1, 3, hidden_layers), bias=bias)


@st.composite
def _residual(draw, admissible: bool) -> Instance:
    n = draw(st.integers(1, 2))
    return Instance("relu", (n, draw(st.integers(1, 3)), n), bias=draw(st.booleans()), residual=True)


@st.composite
def _conv(draw, admissible: bool) -> Instance:
    length = draw(st.integers(2, 3))
    channels = tuple(draw(st.integers(1, 2)) for _ in range(3))
    filters = (draw(st.integers(1, length)), draw(st.integers(1, length)))
    return Instance("conv", options=(("channels", channels), ("length", length), ("filters", filters)))


@st.composite
def _attention(draw, admissible: bool, heads: int) -> Instance:
    d = draw(st.integers(2, 3) if admissible else st.integers(1, 2))
    top = d if admissible else 2 * d + 1
    dk, dv = draw(st.integers(1, top)), draw(st.integers(1, top))
    options = (("d", d), ("dk", dk), ("dv", dv)) + ((("heads", heads),) if heads > 1 else ())
    return Instance("attention", options=options)


@st.composite
def _softmax(draw, admissible: bool) -> Instance:
    return Instance("softmax", (draw(st.integers(1, 3)), draw(st.integers(2, 3))), bias=draw(st.booleans()))


def registered_examples() -> st.SearchStrategy[Instance]:
    """Any architecture of the registry, at one of the examples its spec lists
    (:attr:`~conslaw.algebra.architectures.spec.ArchitectureSpec.examples`): an architecture added to the registry
    is drawn here with no edit to this module."""
    examples = [Instance(name, tuple(widths), bias, tuple(options))
                for name, spec in SPECS.items() for widths, bias, options in spec.examples]
    return st.sampled_from(examples)


def _kind(kind: str, admissible: bool) -> st.SearchStrategy[Instance]:
    makers = {
        "linear": lambda: _linear(admissible),
        "relu": lambda: _relu(admissible, False),
        "relu-bias": lambda: _relu(admissible, True),
        "conv": lambda: _conv(admissible),
        "attention": lambda: _attention(admissible, 1),
        "multihead": lambda: _attention(admissible, 2),
        "softmax": lambda: _softmax(admissible),
        "residual": lambda: _residual(admissible),
        "registered": registered_examples,
    }
    if kind not in makers:
        raise ValueError(f"unknown architecture kind {kind!r}; known: {', '.join(KINDS)}, registered")
    return makers[kind]()


def instance_dim(inst: Instance) -> int:
    """D of an instance from its sizes alone (no SymPy ring is built)."""
    return architecture_sizes(inst.arch, list(inst.widths), inst.bias, **dict(inst.options))[0]


# the smallest instance of each kind, admissible or not: a kind whose smallest D exceeds max_dim is refused
SMALLEST = {
    ("linear", True): Instance("linear", (1, 1, 1)), ("relu", True): Instance("relu", (1, 1, 1)),
    ("relu-bias", True): Instance("relu", (1, 1, 1), True), ("conv", True): Instance(
        "conv", options=(("channels", (1, 1, 1)), ("length", 2), ("filters", (1, 1)))),
    ("attention", True): Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))),
    ("attention", False): Instance("attention", options=(("d", 1), ("dk", 1), ("dv", 1))),
    ("multihead", True): Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1), ("heads", 2))),
    ("multihead", False): Instance("attention", options=(("d", 1), ("dk", 1), ("dv", 1), ("heads", 2))),
    ("softmax", True): Instance("softmax", (1, 2)), ("residual", True): Instance("relu", (1, 1, 1), residual=True),
}


def _smallest_dim(kind: str, admissible: bool) -> int:
    if kind == "registered":
        return min(instance_dim(Instance(n, tuple(w), b, tuple(o))) for n, s in SPECS.items() for w, b, o in s.examples)
    return instance_dim(SMALLEST.get((kind, admissible), SMALLEST.get((kind, True))))


def architectures(kinds: Optional[Sequence[str]] = None, *, admissible: bool = True,
                  max_dim: int = 24) -> st.SearchStrategy[Instance]:
    """Small architectures of the given ``kinds`` (see :data:`KINDS`; None: every kind that fits) with
    D ≤ ``max_dim``.

    Shrinks towards the first kind listed and towards small widths.  A kind named explicitly whose smallest
    instance has more than ``max_dim`` parameters (one multi-head layer has at least 16) is refused with a
    ValueError."""
    if kinds is None:
        kinds = [k for k in KINDS if _smallest_dim(k, admissible) <= max_dim]
        if not kinds:
            raise ValueError(f"no architecture kind fits max_dim = {max_dim}")
    if not kinds:
        raise ValueError("no architecture kinds given")
    parts = []
    for kind in kinds:
        strategy = _kind(kind, admissible)
        if _smallest_dim(kind, admissible) > max_dim:
            raise ValueError(f"max_dim = {max_dim} leaves no {kind!r} architecture (the smallest has "
                             f"D = {_smallest_dim(kind, admissible)})")
        parts.append(strategy.filter(lambda inst: instance_dim(inst) <= max_dim))
    return st.one_of(parts)


# ------------------------------------------------------------------ points
def rationals(bound: int = DEFAULT_BOUND, *, nonzero: bool = True) -> st.SearchStrategy[Fraction]:
    """±a/b with 1 ≤ a, b ≤ ``bound`` (0 too unless ``nonzero``); shrinks towards 1 (or 0)."""
    numerators = st.integers(1, bound) if nonzero else st.integers(0, bound)
    return st.builds(lambda a, b, s: Fraction(s * a, b), numerators, st.integers(1, bound), st.sampled_from((1, -1)))


def _dim(target: Union[int, Instance, Architecture]) -> int:
    if isinstance(target, Instance):
        return instance_dim(target)
    if isinstance(target, Architecture):
        return target.dim
    return int(target)


def rational_points(target: Union[int, Instance, Architecture], *,
                    bound: int = DEFAULT_BOUND) -> st.SearchStrategy[RationalPoint]:
    """Generic rational points of R^D (no zero coordinate, as the engine's seeded points)."""
    D = _dim(target)
    return st.lists(rationals(bound), min_size=D, max_size=D).map(RationalPoint)


def float_points(target: Union[int, Instance, Architecture], *, scale: float = 2.0,
                 min_abs: float = 0.05) -> st.SearchStrategy[list]:
    """Float points of R^D with coordinates in [−scale, −min_abs] ∪ [min_abs, scale] (away from 0)."""
    D = _dim(target)
    magnitude = st.floats(min_abs, scale, allow_nan=False, allow_infinity=False)
    coordinate = st.builds(lambda v, s: s * v, magnitude, st.sampled_from((1.0, -1.0)))
    return st.lists(coordinate, min_size=D, max_size=D)


def _units(arch: Architecture) -> list[tuple[str, tuple[str, ...]]]:
    """The parameter groups whose vanishing puts a point on an excluded set: each hidden unit (its incoming and
    outgoing weights and its bias: a dead neuron), and each weight matrix as a whole."""
    parsed = [(name, parse_name(name)) for name in arch.space.names]
    groups: list[tuple[str, tuple[str, ...]]] = []
    if arch.name.endswith("linear") or arch.name.endswith("relu"):
        layers = sorted({int(p[1]) for _, p in parsed if p and p[0] == "U"})
        for layer in layers[:-1]:
            rows = sorted({p[2][0] for _, p in parsed if p and p[0] == "U" and int(p[1]) == layer})
            for j in rows:
                names = tuple(n for n, p in parsed if p and (
                    (p[0] == "U" and int(p[1]) == layer and p[2][0] == j)
                    or (p[0] == "U" and int(p[1]) == layer + 1 and p[2][1] == j)
                    or (p[0] == "b" and int(p[1]) == layer and p[2][0] == j)))
                groups.append((f"hidden neuron {j} of layer {layer} is zero (incoming and outgoing weights)", names))
    stems = {}
    for name, p in parsed:
        if p:
            stems.setdefault(p[0] + p[1], []).append(name)
    for stem, names in stems.items():
        groups.append((f"the weights {stem} are all zero", tuple(names)))
    return groups


@st.composite
def degenerate_points(draw, inst: Union[Instance, Architecture], *, bound: int = DEFAULT_BOUND,
                      floats: bool = False) -> DegeneratePoint:
    """A point where a hidden unit is dead or a weight matrix vanishes (the sets where ∂φ drops rank, which the
    papers' counting results exclude); the other coordinates are generic rationals.  ``floats=True``: the same
    point with float coordinates (the zeros stay exact zeros), for the torch side."""
    arch = inst.build() if isinstance(inst, Instance) else inst
    reason, names = draw(st.sampled_from(_units(arch)))
    point = draw(rational_points(arch.dim, bound=bound))
    zeroed = set(names)
    out = [Fraction(0) if n in zeroed else c for n, c in zip(arch.space.names, point)]
    return DegeneratePoint([float(c) for c in out] if floats else RationalPoint(out), reason, tuple(names))


# ------------------------------------------------------------------ data
@st.composite
def data_batches(draw, n_inputs: int, n_outputs: int = 1, *, min_size: int = 1, max_size: int = 8,
                 scale: float = 2.0) -> DataBatch:
    """A batch of inputs and targets in [−scale, scale] (float64, finite)."""
    import numpy as np

    size = draw(st.integers(min_size, max_size))
    value = st.floats(-scale, scale, allow_nan=False, allow_infinity=False)
    x = draw(st.lists(value, min_size=size * n_inputs, max_size=size * n_inputs))
    y = draw(st.lists(value, min_size=size * n_outputs, max_size=size * n_outputs))
    return DataBatch(np.array(x, dtype=np.float64).reshape(size, n_inputs),
                     np.array(y, dtype=np.float64).reshape(size, n_outputs))


# ------------------------------------------------------------------ polynomial fields
def parameter_spaces(min_dim: int = 1, max_dim: int = 4) -> st.SearchStrategy[ParameterSpace]:
    """Spaces with parameters ``t[0], …, t[D−1]``."""
    return st.integers(min_dim, max_dim).map(lambda D: ParameterSpace([f"t[{i}]" for i in range(D)]))


@st.composite
def polynomials(draw, space: ParameterSpace, *, max_degree: int = 2, max_terms: int = 3, bound: int = 9):
    """A polynomial of QQ[θ] with at most ``max_terms`` terms of degree ≤ ``max_degree`` (possibly 0)."""
    ring = space.ring
    out = ring.zero
    for _ in range(draw(st.integers(0, max_terms))):
        monom = [0] * space.dim
        for _ in range(draw(st.integers(0, max_degree))):
            monom[draw(st.integers(0, space.dim - 1))] += 1
        c = draw(rationals(bound))
        out += ring({tuple(monom): ring.domain(c.numerator, c.denominator)})
    return out


@st.composite
def polynomial_fields(draw, space: Union[ParameterSpace, int, None] = None, *, max_degree: int = 2,
                      max_terms: int = 3) -> PolynomialVectorField:
    """A polynomial vector field on ``space`` (drawn from :func:`parameter_spaces` when None; an int D gives
    ``t[0..D−1]``), each component with at most ``max_terms`` terms."""
    if space is None:
        space = draw(parameter_spaces())
    elif isinstance(space, int):
        space = ParameterSpace([f"t[{i}]" for i in range(space)])
    comps = [draw(polynomials(space, max_degree=max_degree, max_terms=max_terms)) for _ in range(space.dim)]
    return PolynomialVectorField._trusted(space, tuple(comps))


__all__ = [
    "KINDS", "DataBatch", "DegeneratePoint", "RationalPoint", "architectures", "data_batches", "degenerate_points",
    "float_points", "instance_dim", "parameter_spaces", "polynomial_fields", "polynomials", "rational_points",
    "rationals",
]
