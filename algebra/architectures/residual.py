"""Residual wrapper x ↦ x + g(θ, x) (Proposition 3.2 of the main paper).

The skip connection does not depend on θ, so ∂_θ(x + g) = ∂_θ g: the fields,
hence the laws, are those of g.  Input and output sizes must agree.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import ShapeError
from .base import Architecture


def in_out(s: dict) -> tuple[int, int] | None:
    """(input size, output size) of an architecture's shape, or None where it has no such sizes."""
    if "widths" in s:
        return s["widths"][0], s["widths"][-1]
    if "channels" in s:
        return s["channels"][0], s["channels"][-1]
    if "d" in s:
        return s["d"], s["d"]
    return None


def residual_description(description: str) -> str:
    return f"residual block x + g(x) around the {description}"


def check_residual(name: str, shape: dict) -> None:
    """A residual connection x + g(x) needs equal input and output sizes (ShapeError otherwise)."""
    io = in_out(shape)
    if io is None or io[0] != io[1]:
        raise ShapeError(f"a residual connection x + g(x) needs equal input and output sizes; {name} has {io}")


def residual(arch: Architecture) -> Architecture:
    """The block x + g(θ, x) around ``arch``: same φ, same laws (Prop. 3.2)."""
    check_residual(arch.name, arch.shape)
    return replace(arch, name=f"residual-{arch.name}", description=residual_description(arch.description),
                   shape={**arch.shape, "residual": True})
