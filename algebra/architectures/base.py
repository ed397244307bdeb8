"""What an architecture provides: parameters, the polynomial map φ, and its known laws."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sympy.polys.rings import PolyElement

from ..errors import ShapeError
from ..fields import PolynomialVectorField
from ..parameters import ParameterSpace


@dataclass
class Architecture:
    """A model g(θ, x) = f(φ(θ), x) with polynomial φ (docs/THEORY.md §1, Assumption 2.6).

    ``known_laws`` are the conservation laws the literature states for it
    (docs/THEORY.md §3), as exact polynomials, with a readable label each.
    ``notes`` say where the instance leaves the hypotheses of the theorem
    that makes φ the right reparametrisation (then the count computed from φ
    is not the paper's count, and the notes say how it relates);
    ``model_gaps`` list the reasons why φ's count is only a lower bound for
    the model's (empty where a theorem makes them equal).
    """

    name: str
    description: str
    space: ParameterSpace
    phi: list[PolyElement]
    phi_labels: list[str]
    known_laws: list[PolyElement]
    law_labels: list[str]
    shape: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    model_gaps: list[str] = field(default_factory=list)
    #: vector fields given as such (``--fields FILE``), generators after the gradients of φ
    extra_fields: list[PolynomialVectorField] = field(default_factory=list)

    @property
    def phi_count_is_model_count(self) -> bool:
        """True unless a hypothesis is missing for "the laws of ∇φ's flows are all the model's laws".

        The model's gradients always lie in range ∂φ(θ)ᵀ (chain rule), so φ's
        count is a lower bound for the model's; ``model_gaps`` say why it may
        be strictly larger (one token, d = 1, several heads, …).
        """
        return not self.model_gaps

    @property
    def dim(self) -> int:
        return self.space.dim

    def generators(self) -> list[PolynomialVectorField]:
        """V_φ = {∇φ_k}, then the ``extra_fields`` (none for the built-in architectures)."""
        grads = [PolynomialVectorField.gradient(self.space, p, lbl) for p, lbl in zip(self.phi, self.phi_labels)]
        return grads + list(self.extra_fields)


def check_widths(widths: Sequence, minimum_layers: int = 1) -> list[int]:
    """Validate a width list: integers ≥ 1, at least ``minimum_layers + 1`` of them."""
    out = []
    for w in widths:
        if isinstance(w, bool) or not isinstance(w, int):
            raise ShapeError(f"widths must be integers, got {w!r}")
        if w < 1:
            raise ShapeError(f"every width must be at least 1, got {w}")
        out.append(w)
    if len(out) < minimum_layers + 1:
        raise ShapeError(
            f"need at least {minimum_layers + 1} widths (input, ..., output), got {len(out)}: {list(widths)}"
        )
    return out


def weight_matrix(space: ParameterSpace, stem: str, rows: int, cols: int) -> list[list[PolyElement]]:
    return [[space.var(f"{stem}[{i},{j}]") for j in range(cols)] for i in range(rows)]


def positive_int(value, what: str) -> int:
    """Validate one size: an integer ≥ 1, named in the error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(f"{what} must be an integer, got {value!r}")
    if value < 1:
        raise ShapeError(f"{what} must be at least 1, got {value}")
    return value
