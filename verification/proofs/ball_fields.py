"""A model's own fields and their brackets in ball arithmetic, whatever the model (issue 25).

A *ball model* gives its parameter count ``D``, the data of one field (``draw``: rational inputs and an output
direction, or a label), and the gradient θ ↦ ∇_θ f(θ) of that field's scalar f written over
:class:`.ball_jets.Jet` numbers.  Evaluated at θ + ε·v, the same gradient code returns ∇f(θ) + ε·H_f(θ) v, so
a field value, a Hessian-vector product and a bracket

    [X_a, X_b](θ) = ∂X_b(θ) X_a(θ) − ∂X_a(θ) X_b(θ) = H_b X_a − H_a X_b

come from one function per model (:mod:`.attention_ball`, :mod:`.softmax_ball`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol

import flint
import numpy as np

from .ball_jets import Jet

POINT_BOUND = 5  # coordinates and data ±a/b with 1 ≤ a, b ≤ 5


class BallModel(Protocol):
    """What :mod:`.ball_rank` needs of a model: sizes, its certificate record, fields' data and their gradient."""

    D: int

    def architecture(self) -> dict: ...

    parameter_order: str
    data_note: str  # how the fields' data are drawn, in words

    def draw(self, rng: np.random.Generator) -> Any:
        """The data of one field (rationals), drawn from a seeded generator."""

    def gradient(self, theta: list[Jet], data: Any) -> list[Jet]:
        """∇_θ f(θ) of the field's scalar f, in θ's order, as jets."""

    def record(self, data: Any) -> list:
        """The field's data as JSON (rationals as strings), as the checker reads it."""

    def facts(self) -> dict:
        """What a catalogue record states of the instance beside its counts (e.g. attention's tokens)."""

    def outside_hypotheses(self) -> str:
        """Why the result's hypotheses fail for this shape, in words; "" when they hold."""


def draw_rational(rng: np.random.Generator) -> Fraction:
    """±a/b with 1 ≤ a, b ≤ :data:`POINT_BOUND`."""
    a, b = (int(v) for v in rng.integers(1, POINT_BOUND + 1, 2))
    return Fraction(a * (1 if rng.integers(0, 2) else -1), b)


def draw_matrix(rng: np.random.Generator, rows: int, cols: int) -> list[list[Fraction]]:
    return [[draw_rational(rng) for _ in range(cols)] for _ in range(rows)]


def matrix_record(M: list[list[Fraction]]) -> list[list[str]]:
    return [[str(v) for v in row] for row in M]


def field_value(model: BallModel, theta: list[flint.arb], data: Any) -> list[flint.arb]:
    """X(θ) = ∇_θ f(θ), as balls."""
    return [g.value for g in model.gradient([Jet(t) for t in theta], data)]


def hessian_times(model: BallModel, theta: list[flint.arb], data: Any, v: list[flint.arb]) -> list[flint.arb]:
    """H_f(θ) v: the slope of the gradient along v."""
    return [g.slope for g in model.gradient([Jet(t, s) for t, s in zip(theta, v)], data)]


def bracket_value(model: BallModel, theta: list[flint.arb], a: Any, b: Any,
                  Xa: list[flint.arb] | None = None, Xb: list[flint.arb] | None = None) -> list[flint.arb]:
    """[X_a, X_b](θ) = H_b X_a − H_a X_b for the fields of data a and b (their values, when known, passed in)."""
    Xa = field_value(model, theta, a) if Xa is None else Xa
    Xb = field_value(model, theta, b) if Xb is None else Xb
    return [p - q for p, q in zip(hessian_times(model, theta, b, Xa), hessian_times(model, theta, a, Xb))]


__all__ = ["BallModel", "POINT_BOUND", "bracket_value", "draw_matrix", "draw_rational", "field_value",
           "hessian_times", "matrix_record"]
