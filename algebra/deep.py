"""Deep residual ReLU networks, exactly, at a rational point (Section 4 of the main paper).

The network x_l = x_{l−1} + V_l σ(U_l x_{l−1} [+ b_l]), l = 1..L, with x_l ∈ R^d,
U_l ∈ R^{r_l×d} (parameters ``U{l}[i,j]``), b_l (``b{l}[i]``), V_l ∈ R^{d×r_l}
(``V{l}[i,j]``), is piecewise polynomial in θ.  At a rational point θ_0 and a
rational input x every pre-activation is an exact rational number; when none
is 0 the activation pattern is constant near θ_0 and g(θ, x) is, there, the
polynomial obtained by fixing the pattern.  Its gradients ∇_θ g_i(θ, x) are
the generators X_{x, e_i} of W_θ near θ_0 (docs/THEORY.md §3, "deep nets").  With
finitely many inputs they span a subspace of W_θ, so the count obtained is an
upper bound on the number of laws, reached once enough inputs are used.

Laws that depend only on a subset B of the parameters (Proposition 4.3): h(θ_B)
is conserved iff ∇h(θ_B) ⊥ X_B(θ_B, θ_rest) for every generator X and every
θ_rest near θ_0.  Writing X_B = Σ_β θ_rest^β Y_β(θ_B), the fields Y_β on R^B span
that space; their Lie algebra's trace at θ_0,B gives |B| − rank block laws.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from sympy import QQ
from sympy.polys.rings import PolyElement

from .errors import ShapeError
from .fields import PolynomialVectorField, evaluate_terms
from .parameters import ParameterSpace, matrix_names, vector_names
from .rationals import to_qq


@dataclass(frozen=True)
class DenseBlock:
    """x ↦ x + V σ(U x + b) on R^d: ``U{l}[j,i]`` (r × d), ``b{l}[j]``, ``V{l}[i,j]`` (d × r)."""

    dim: int
    width: int
    bias: bool

    def first_names(self, l: int) -> list[str]:
        return matrix_names(f"U{l}", self.width, self.dim) + (vector_names(f"b{l}", self.width) if self.bias else [])

    def second_names(self, l: int) -> list[str]:
        return matrix_names(f"V{l}", self.dim, self.width)

    def pre_activations(self, l: int, state, v, zero) -> list:
        return [sum((v(f"U{l}[{j},{i}]") * state[i] for i in range(self.dim)), zero)
                + (v(f"b{l}[{j}]") if self.bias else zero) for j in range(self.width)]

    def output(self, l: int, hidden, v, zero) -> list:
        return [sum((v(f"V{l}[{i},{j}]") * h for j, h in enumerate(hidden) if h is not None), zero) for i in range(self.dim)]

    def laws(self, l: int, v, zero) -> list:
        """Per hidden neuron j: ‖U_l[j,:]‖² + b_l[j]² − ‖V_l[:,j]‖²."""
        return [sum((v(f"U{l}[{j},{i}]") ** 2 for i in range(self.dim)), zero) + (v(f"b{l}[{j}]") ** 2 if self.bias else zero)
                - sum((v(f"V{l}[{i},{j}]") ** 2 for i in range(self.dim)), zero) for j in range(self.width)]


@dataclass(frozen=True)
class ConvBlock:
    """x ↦ x + conv₂(σ(conv₁(x) + b)) on signals of C channels and length N (circular, eq. 16).

    Filters ``U{l}[j,c,a]`` (a < k1), bias ``b{l}[j]`` per hidden channel, ``V{l}[k,j,b]`` (b < k2),
    with k = C output channels so that the skip connection adds up.  The stream is
    stored channel-major: coordinate c·N + t.
    """

    channels: int
    length: int
    width: int
    filters: tuple[int, int]
    bias: bool

    def first_names(self, l: int) -> list[str]:
        C, k1 = self.channels, self.filters[0]
        names = [f"U{l}[{j},{c},{a}]" for j in range(self.width) for c in range(C) for a in range(k1)]
        return names + (vector_names(f"b{l}", self.width) if self.bias else [])

    def second_names(self, l: int) -> list[str]:
        return [f"V{l}[{k},{j},{b}]" for k in range(self.channels) for j in range(self.width) for b in range(self.filters[1])]

    def pre_activations(self, l: int, state, v, zero) -> list:
        C, N, (k1, _) = self.channels, self.length, self.filters
        return [sum((v(f"U{l}[{j},{c},{a}]") * state[c * N + (t + a) % N] for c in range(C) for a in range(k1)), zero)
                + (v(f"b{l}[{j}]") if self.bias else zero) for j in range(self.width) for t in range(N)]

    def output(self, l: int, hidden, v, zero) -> list:
        C, N, (_, k2) = self.channels, self.length, self.filters
        out = []
        for k in range(C):
            for t in range(N):
                terms = (v(f"V{l}[{k},{j},{b}]") * hidden[j * N + (t + b) % N]
                         for j in range(self.width) for b in range(k2) if hidden[j * N + (t + b) % N] is not None)
                out.append(sum(terms, zero))
        return out

    def laws(self, l: int, v, zero) -> list:
        """Per hidden channel j: Σ_{c,a} U_l[j,c,a]² + b_l[j]² − Σ_{k,b} V_l[k,j,b]² (Theorem 3.6)."""
        C, (k1, k2) = self.channels, self.filters
        return [sum((v(f"U{l}[{j},{c},{a}]") ** 2 for c in range(C) for a in range(k1)), zero)
                + (v(f"b{l}[{j}]") ** 2 if self.bias else zero)
                - sum((v(f"V{l}[{k},{j},{b}]") ** 2 for k in range(C) for b in range(k2)), zero) for j in range(self.width)]


@dataclass
class ResidualMLP:
    """A residual network of ReLU blocks (dense or convolutional) on R^dim.

    With ``classes`` = K ≥ 2 it ends in a softmax classification layer
    z = W x_L (``W[k,i]``) trained with the cross-entropy loss, whose gradient
    in z is softmax(z) − e_y: these span the vectors with zero sum, so the
    generators are ∇_θ ⟨w, z(θ, x)⟩ for w = e_k − e_{K−1} — polynomial.
    """

    dim: int
    hidden: list[int]
    bias: bool
    space: ParameterSpace
    classes: int = 0
    layers: list = field(default_factory=list)

    def head_names(self) -> list[str]:
        """The parameters of the softmax layer."""
        if not self.classes:
            raise ShapeError("this network has no softmax layer")
        return matrix_names("W", self.classes, self.dim)

    def head_laws(self) -> list[PolyElement]:
        """Column sums Σ_k W[k,i] of the softmax layer (Prop. 3.11)."""
        v = self.space.var
        return [sum((v(f"W[{k},{i}]") for k in range(self.classes)), self.space.ring.zero) for i in range(self.dim)]

    @property
    def blocks(self) -> int:
        return len(self.layers)

    def block_names(self, l: int) -> list[str]:
        """The parameters of block l (1-based): its first layer (and bias), then its second layer."""
        self._check_block(l)
        block = self.layers[l - 1]
        return block.first_names(l) + block.second_names(l)

    def straddle_names(self, l: int) -> list[str]:
        """Second layer of block l with the first layer of block l+1 (Theorem 4.7)."""
        self._check_block(l)
        self._check_block(l + 1)
        return self.layers[l - 1].second_names(l) + self.layers[l].first_names(l + 1)

    def block_laws(self, l: int) -> list[PolyElement]:
        """The laws of block l alone: one per hidden neuron (dense) or hidden channel (conv)."""
        self._check_block(l)
        return self.layers[l - 1].laws(l, self.space.var, self.space.ring.zero)

    def _check_block(self, l: int) -> None:
        if not 1 <= l <= self.blocks:
            raise ShapeError(f"block {l} does not exist: the network has blocks 1..{self.blocks}")

    def piece(self, x: Sequence, point: Sequence) -> tuple[list[PolyElement], tuple] | None:
        """The polynomial g(·, x) valid near ``point``, and the activation pattern; None on a tie (pre-activation 0)."""
        return self._propagate(x, point=point)

    def piece_with_pattern(self, x: Sequence, pattern: Sequence[Sequence[bool]]) -> list[PolyElement]:
        """g(·, x) with the activation pattern fixed to ``pattern`` (a polynomial in θ, affine in x)."""
        return self._propagate(x, pattern=pattern)[0]

    def _propagate(self, x: Sequence, point: Optional[Sequence] = None, pattern=None):
        ring, v, zero = self.space.ring, self.space.var, self.space.ring.zero
        pt = [to_qq(c) for c in point] if point is not None else None
        state = [ring(to_qq(c)) for c in x]
        masks = []
        for l, block in enumerate(self.layers, start=1):
            pre = block.pre_activations(l, state, v, zero)
            if pattern is not None:
                mask = tuple(pattern[l - 1])
            else:
                values = [evaluate_terms(((c, tuple((k, e) for k, e in enumerate(m) if e)) for m, c in z.iterterms()),
                                         pt, QQ(0)) for z in pre]
                if any(val == 0 for val in values):
                    return None
                mask = tuple(val > 0 for val in values)
            masks.append(mask)
            hidden = [z if on else None for z, on in zip(pre, mask)]
            state = [s + d for s, d in zip(state, block.output(l, hidden, v, zero))]
        if self.classes:
            logits = [sum((v(f"W[{k},{i}]") * state[i] for i in range(self.dim)), zero) for k in range(self.classes)]
            state = [logits[k] - logits[-1] for k in range(self.classes - 1)]  # ⟨e_k − e_{K−1}, z⟩
        return state, tuple(masks)


def residual_mlp(
    dim: int, hidden: Sequence[int], bias: bool = False, classes: int = 0,
    kinds: Optional[Sequence[str]] = None, conv: Optional[tuple[int, int, int, int]] = None,
) -> ResidualMLP:
    """Residual network of len(hidden) ReLU blocks on R^dim (Example 4.2), optionally ending in a softmax
    layer over ``classes`` classes.

    ``kinds`` gives each block's kind, ``"dense"`` (default) or ``"conv"``; conv blocks need
    ``conv = (C, N, k1, k2)`` with dim = C·N, and ``hidden`` then counts hidden channels.
    """
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ShapeError(f"the residual stream needs a dimension ≥ 1, got {dim!r}")
    if not hidden:
        raise ShapeError("give the hidden width of at least one block")
    for r in hidden:
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise ShapeError(f"hidden widths must be integers ≥ 1, got {r!r}")
    if classes == 1 or classes < 0:
        raise ShapeError(f"a softmax layer needs at least 2 classes, got {classes}")
    kinds = list(kinds) if kinds else ["dense"] * len(hidden)
    if len(kinds) != len(hidden):
        raise ShapeError(f"{len(kinds)} block kinds for {len(hidden)} blocks")
    layers = []
    for kind, r in zip(kinds, hidden):
        if kind == "dense":
            layers.append(DenseBlock(dim, r, bias))
        elif kind == "conv":
            if conv is None:
                raise ShapeError("conv blocks need the signal shape: channels C, length N and filter sizes k1 k2")
            C, N, k1, k2 = conv
            if C * N != dim:
                raise ShapeError(f"conv blocks on C = {C} channels of length N = {N} need dim = C·N = {C * N}, got {dim}")
            if max(k1, k2) > N:
                raise ShapeError(f"filter sizes ({k1}, {k2}) exceed the signal length {N}")
            layers.append(ConvBlock(C, N, r, (k1, k2), bias))
        else:
            raise ShapeError(f"unknown block kind {kind!r}: use dense or conv")
    names = [n for l, block in enumerate(layers, start=1) for n in block.first_names(l) + block.second_names(l)]
    if classes:
        names += matrix_names("W", classes, dim)
    return ResidualMLP(dim, list(hidden), bias, ParameterSpace(names), classes, layers)


@dataclass
class PiecewiseGenerators:
    """Generators ∇g_i(·, x) of the pieces met at θ_0, and what was used to build them."""

    fields: list[PolynomialVectorField]
    inputs: list[list]
    patterns: list[tuple]
    ties: int = 0
    notes: list[str] = field(default_factory=list)


def piecewise_generators(net: ResidualMLP, point: Sequence, n_inputs: int, seed: int = 0,
                         start: Optional[PiecewiseGenerators] = None) -> PiecewiseGenerators:
    """Fields ∇_θ g_i(θ, x) for ``n_inputs`` seeded rational inputs x (both signs), at the pattern of θ_0.

    With ``start``, its inputs are kept and new ones are added up to ``n_inputs``.
    """
    rng = random.Random(seed * 1_000_003 + (len(start.inputs) if start else 0))
    if start is None:
        fields, inputs, patterns, ties = [], [], [], 0
    else:
        fields, inputs, patterns, ties = list(start.fields), list(start.inputs), list(start.patterns), start.ties
    attempts = 0
    while len(inputs) < n_inputs:
        attempts += 1
        if attempts > 20 * n_inputs + 20:
            raise ShapeError("too many inputs put a pre-activation exactly at 0 at this point; try another seed")
        x = [QQ(rng.choice((-1, 1)) * rng.randint(1, 97), rng.randint(1, 97)) for _ in range(net.dim)]
        got = net.piece(x, point)
        if got is None:
            ties += 1
            continue
        out, pattern = got
        inputs.append(x)
        patterns.append(pattern)
        for i, g in enumerate(out):
            f = PolynomialVectorField.gradient(net.space, g, f"output {i}")
            if not f.is_zero():
                fields.append(f)
    return PiecewiseGenerators(fields, inputs, patterns, ties)


def saturated_generators(
    net: ResidualMLP, point: Sequence, rank_of: Callable[[list[PolynomialVectorField]], int], *,
    seed: int = 0, batch: Optional[int] = None, patience: int = 2, max_inputs: int = 2000,
) -> tuple[PiecewiseGenerators, int]:
    """Add inputs in batches until ``patience`` batches in a row leave ``rank_of(fields)`` unchanged.

    Each new input can only add generators, so the rank only grows; a plateau
    is the evidence that the inputs are enough.  Returns (generators, rank).
    """
    batch = batch or net.space.dim
    pg = piecewise_generators(net, point, batch, seed=seed)
    rank, still = rank_of(pg.fields), 0
    while still < patience and len(pg.inputs) < max_inputs:
        pg = piecewise_generators(net, point, len(pg.inputs) + batch, seed=seed, start=pg)
        new = rank_of(pg.fields)
        still = still + 1 if new == rank else 0
        rank = new
    if still < patience:
        pg.notes.append(f"stopped at {max_inputs} inputs before the rank settled: the count is an upper bound")
    return pg, rank


def restrict_to_subset(fields: Sequence[PolynomialVectorField], names: Sequence[str]) -> tuple[ParameterSpace, list[PolynomialVectorField]]:
    """The fields Y_β on R^B of Proposition 4.3: X_B = Σ_β θ_rest^β Y_β(θ_B)."""
    if not fields:
        raise ShapeError("no generators to restrict")
    space = fields[0].space
    idx = [space.index(n) for n in names]
    if len(set(idx)) != len(idx):
        raise ShapeError("the subset lists a parameter twice")
    inside = set(idx)
    sub = ParameterSpace(list(names))
    pos = {k: t for t, k in enumerate(idx)}
    out: dict[tuple, dict[int, dict]] = {}
    for f in fields:
        groups: dict[tuple, dict[int, dict]] = {}
        for i, terms in f.sparse:
            if i not in inside:
                continue
            for coeff, monom in terms:
                rest = tuple((k, e) for k, e in monom if k not in inside)
                exps = [0] * len(idx)
                for k, e in monom:
                    if k in inside:
                        exps[pos[k]] = e
                comp = groups.setdefault(rest, {}).setdefault(pos[i], {})
                comp[tuple(exps)] = comp.get(tuple(exps), 0) + coeff
        for rest, comps in groups.items():
            key = (id(f), rest)
            out[key] = comps
    result, seen = [], set()
    for comps in out.values():
        vec = [sub.ring.from_dict(comps.get(t, {})) for t in range(len(idx))]
        y = PolynomialVectorField._trusted(sub, tuple(vec))
        if not y.is_zero() and y.canonical_key not in seen:
            seen.add(y.canonical_key)
            result.append(y)
    return sub, result
