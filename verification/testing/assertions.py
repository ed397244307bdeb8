"""Assertions for conservation-law claims, with a readable counterexample when they fail.

* :func:`assert_law_count` — the number of independent laws of an architecture (exact, D − dim Lie(V_φ)(θ_0)
  at seeded rational points, Theorem 2.11 of the 2023 paper);
* :func:`assert_conserved` — a function h is conserved: exactly, ⟨∇h, ∇φ_k⟩ ≡ 0 as polynomials for an
  architecture or a family of polynomial fields (Prop. 2.9: the generators suffice); numerically, for a torch
  model, ⟨∇h(θ), ∂_θ g(θ, x)ᵀ w⟩ = 0 at the model's parameters for every input x of a batch and random output
  directions w (float, to a relative tolerance).

A failure raises :class:`ConservationAssertionError` (an ``AssertionError``, so pytest reports it as a test
failure) whose message names the point, the field or bracket, and the numbers.  The pytest plugin
(:mod:`conslaw.verification.testing.pytest_plugin`) exposes both as fixtures.
"""
from __future__ import annotations

import random
from typing import Callable, Optional, Sequence, Union

from conslaw.algebra import ParameterSpace, PolynomialVectorField, lie_trace
from conslaw.algebra.architectures.base import Architecture
from conslaw.algebra.fields import PolynomialLike, to_polynomial
from conslaw.algebra.laws import gradient_rank, violations
from conslaw.algebra.points import random_rational_point

from ..catalogue.schema import Instance

Subject = Union[Instance, Architecture, Sequence[PolynomialVectorField]]
SHOWN = 8  # coordinates of a point shown in a message before "…"


class ConservationAssertionError(AssertionError):
    """A conservation-law claim is false; the message holds the counterexample."""


def _generators(subject: Subject) -> tuple[list[PolynomialVectorField], str, Optional[Architecture]]:
    """(fields, a name for messages, the architecture if there is one)."""
    if isinstance(subject, Instance):
        subject = subject.build()
    if isinstance(subject, Architecture):
        return subject.generators(), subject.description, subject
    fields = list(subject)
    if not fields or not all(isinstance(f, PolynomialVectorField) for f in fields):
        raise TypeError("expected an Instance, an Architecture or a non-empty list of PolynomialVectorField, "
                        f"got {type(subject).__name__}")
    return fields, f"{len(fields)} polynomial fields on {fields[0].space.dim} parameters", None


def describe_point(space: ParameterSpace, point: Sequence, shown: int = SHOWN) -> str:
    """``U1[0,0] = 1/3, U1[0,1] = -2, … (14 coordinates)``: the first coordinates by name."""
    parts = [f"{n} = {c}" for n, c in zip(space.names[:shown], point)]
    more = f", … ({len(point)} coordinates)" if len(point) > shown else ""
    return ", ".join(parts) + more


def _vector(values: Sequence, shown: int = SHOWN) -> str:
    """``[18, 0, 37/9, …]``: exact values as a reader writes them."""
    return "[" + ", ".join(str(c) for c in values[:shown]) + (", …]" if len(values) > shown else "]")


# ------------------------------------------------------------------ counts
def assert_law_count(subject: Subject, expected: int, *, seed: int = 0, points: int = 2) -> None:
    """Exactly ``expected`` independent laws: D − rank of the traced Lie algebra at seeded rational points.

    On failure the message gives D, the exact rank at each point, the first point, the brackets that gave new
    directions and, for an architecture, how many independent laws its stated ones give at that point."""
    __tracebackhide__ = True  # pytest shows the message, not these frames
    fields, name, arch = _generators(subject)
    res = lie_trace(fields, seed=seed, n_points=points)
    if res.laws == expected:
        return
    space = fields[0].space
    brackets = [d["label"] for _, d in res.graph.new_directions() if d["level"] > 0]
    lines = [
        f"{name}: {res.laws} independent conservation laws, expected {expected}",
        f"  D = {res.dim}, exact rank of Lie(V)(theta) = {res.ranks} at {points} seeded rational points (seed {seed})",
        f"  first point: {describe_point(space, res.points[0])}",
        f"  brackets that gave new directions: {', '.join(brackets[:12]) or 'none (the generators span the trace)'}"
        + (" …" if len(brackets) > 12 else ""),
        f"  status: {res.status}",
    ]
    if arch is not None and arch.known_laws:
        known = gradient_rank(space, arch.known_laws, res.points[0])
        lines.append(f"  the {len(arch.known_laws)} stated laws give {known} independent ones at that point")
    raise ConservationAssertionError("\n".join(lines))


# ------------------------------------------------------------------ conservation, exact
def _nonzero_at(poly, dim: int, seed: int, tries: int = 64) -> list:
    """A seeded rational point where the nonzero polynomial ``poly`` does not vanish."""
    rng = random.Random(seed)
    for _ in range(tries):
        point = random_rational_point(dim, rng)
        if poly(*point) != 0:
            return point
    raise RuntimeError("no point found where a nonzero polynomial is nonzero (unreachable in practice)")


def _assert_conserved_exactly(subject: Subject, law: PolynomialLike, seed: int) -> None:
    __tracebackhide__ = True  # pytest shows the message, not these frames
    fields, name, _ = _generators(subject)
    space = fields[0].space
    h = to_polynomial(space, law, "law")
    moved = violations([h], fields)  # (law, field, <grad h, X>) for every field that moves h
    if not moved:
        return
    _, k, derivative = moved[0]
    point = _nonzero_at(derivative, space.dim, seed)
    grad = PolynomialVectorField.gradient(space, h).evaluate_qq(point)
    value = fields[k].evaluate_qq(point)
    raise ConservationAssertionError("\n".join([
        f"{name}: h = {h.as_expr()} is not conserved",
        f"  <grad h, X{k}> = {derivative.as_expr()}, not identically 0 (X{k} = {fields[k]})",
        f"  at {describe_point(space, point)}:",
        f"    <grad h, X{k}> = {derivative(*point)}",
        f"    grad h = {_vector(grad)}",
        f"    X{k}     = {_vector(value)}",
    ]))


# ------------------------------------------------------------------ conservation, numerical (torch)
def _assert_conserved_numerically(model, law: Callable, inputs, directions: int, seed: int, rtol: float,
                                  loss: str) -> None:
    __tracebackhide__ = True  # pytest shows the message, not these frames
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters")
    h = law(model)
    if not isinstance(h, torch.Tensor) or h.numel() != 1:
        raise ValueError("the law must return a scalar tensor computed from the model's parameters")
    grad_h = torch.cat([g.reshape(-1) for g in torch.autograd.grad(h, params, allow_unused=True, materialize_grads=True)])
    x = torch.as_tensor(inputs)
    gen = torch.Generator().manual_seed(seed)
    worst = None
    for s in range(x.shape[0]):
        out = model(x[s:s + 1])
        for t in range(directions):
            w = torch.randn(out.shape, generator=gen, dtype=out.dtype)
            if loss == "cross_entropy":  # softmax cross-entropy's gradients in the logits sum to zero
                w = w - w.mean(-1, keepdim=True)
            field = torch.autograd.grad((out * w).sum(), params, allow_unused=True, materialize_grads=True,
                                        retain_graph=t + 1 < directions)
            field = torch.cat([f.reshape(-1) for f in field])
            scale = float(grad_h.norm() * field.norm())
            value = float(grad_h @ field)
            relative = abs(value) / scale if scale else 0.0
            if worst is None or relative > worst[0]:
                worst = (relative, s, t, value, float(grad_h.norm()), float(field.norm()))
    if worst[0] > rtol:
        relative, s, t, value, nh, nf = worst
        raise ConservationAssertionError("\n".join([
            f"{type(model).__name__}: the law is not conserved (numerically, float, relative tolerance {rtol:g}, "
            f"{'any loss' if loss == 'any' else 'cross-entropy'})",
            f"  input {s} of {x.shape[0]}, random output direction {t} (seed {seed}):",
            f"    <grad h, d_theta <w, g(theta, x)>> = {value:.3e}",
            f"    |grad h| = {nh:.3e}, |field| = {nf:.3e}, relative {relative:.3e}",
            f"    h(theta) = {float(h.detach()):.6g} at the model's current parameters",
        ]))


def assert_conserved(subject, law, *, inputs=None, directions: int = 2, seed: int = 0, rtol: float = 1e-9,
                     loss: str = "any") -> None:
    """``law`` is conserved by every gradient flow of ``subject``.

    * ``subject`` an :class:`Instance`, an :class:`Architecture` or a list of :class:`PolynomialVectorField`,
      ``law`` a polynomial (SymPy expression, ring element, or text in the parameter names): exact,
      ⟨∇h, X⟩ ≡ 0 for every field X; the counterexample is a rational point where it is not 0.
    * ``subject`` a ``torch.nn.Module``, ``law`` a callable ``law(model) -> scalar tensor`` and ``inputs`` a batch:
      numerical, at the model's current parameters (the fields ∂_θ⟨w, g(θ, x)⟩ span the gradients of every loss
      on these inputs); the counterexample is the input and direction with the largest relative value.
      ``loss="cross_entropy"`` draws only zero-sum directions w (the gradients of softmax cross-entropy in the
      logits), for laws such as the classifier's column sums that hold for that loss only (Prop. 3.11).
    """
    __tracebackhide__ = True
    if hasattr(subject, "parameters") and callable(getattr(subject, "parameters")) and not isinstance(
            subject, (Instance, Architecture)):
        if not callable(law):
            raise TypeError("for a torch model the law must be a callable law(model) -> scalar tensor")
        if inputs is None:
            raise ValueError("a torch model needs inputs=... (a batch of inputs) to draw its fields from")
        if loss not in ("any", "cross_entropy"):
            raise ValueError(f"loss must be 'any' or 'cross_entropy', got {loss!r}")
        _assert_conserved_numerically(subject, law, inputs, directions, seed, rtol, loss)
        return
    _assert_conserved_exactly(subject, law, seed)


__all__ = ["ConservationAssertionError", "assert_conserved", "assert_law_count", "describe_point"]
