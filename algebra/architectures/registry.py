"""The registry of architectures: name → :class:`~.spec.ArchitectureSpec`.

``build_architecture(name, widths, bias=..., residual=..., **options)`` refuses unknown names (with the closest as
a suggestion) and every option that does not apply to the architecture named, so a misplaced option is an error
rather than silently ignored.  A residual connection x + g(θ, x) is a wrapper for any of them (Prop. 3.2: same φ,
same laws).
"""
from __future__ import annotations

import difflib
from typing import Optional, Sequence

from ..errors import ShapeError, UnknownArchitectureError
from . import attention, conv, leaky_relu, linear, relu, softmax
from .base import Architecture
from .residual import residual as residual_block
from .spec import ArchitectureSpec, ExpectedCount

#: every architecture, by name (the order of ``conslaw architectures`` is alphabetical)
SPECS: dict[str, ArchitectureSpec] = {s.name: s for s in (linear.SPEC, relu.SPEC, softmax.SPEC, conv.SPEC,
                                                           attention.SPEC, leaky_relu.SPEC)}


def unknown_architecture(name: str, known: Sequence[str]) -> UnknownArchitectureError:
    """The error for an architecture name not in ``known``: every known name, and the closest as a suggestion."""
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return UnknownArchitectureError(f"unknown architecture {name!r}; known: {', '.join(sorted(known))}{hint}")


def spec_of(name: str) -> ArchitectureSpec:
    """The spec of ``name`` (case-insensitive); unknown names are refused with a suggestion."""
    spec = SPECS.get(name.lower())
    if spec is None:
        raise unknown_architecture(name, list(SPECS))
    return spec


def check_request(name: str, widths: Sequence[int] = (), bias: bool = False, **options) -> str:
    """The registry key for ``name``, after refusing unknown names and options that do not apply to it."""
    spec = spec_of(name)
    given = {k for k, v in options.items() if v is not None}
    if given - spec.options:
        raise ShapeError(f"architecture {name!r} takes no option {', '.join(sorted(given - spec.options))}")
    if widths and not spec.takes_widths:
        raise ShapeError(f"architecture {name!r} takes no widths (got {list(widths)}); see its options")
    if bias and not spec.takes_bias:
        raise ShapeError(f"architecture {name!r} takes no biases")
    return spec.name


def _options(spec: ArchitectureSpec, options: dict) -> dict:
    return {k: options.get(k) for k in spec.options}


def build_architecture(
    name: str, widths: Sequence[int] = (), bias: bool = False, residual: bool = False, **options
) -> Architecture:
    """Build a registered architecture by name; unknown names and inapplicable options are refused."""
    spec = SPECS[check_request(name, widths, bias, **options)]
    arch = spec.build(list(widths), bias, _options(spec, options))
    return residual_block(arch) if residual else arch


def architecture_sizes(name: str, widths: Sequence[int] = (), bias: bool = False, **options) -> tuple[int, int]:
    """(D, number of components of φ) of a registered architecture, from its sizes only (assumed validated:
    integers ≥ 1; missing options count as 1)."""
    spec = spec_of(name)
    return spec.sizes(list(widths), bias, _options(spec, options))


def expected_count(name: str, widths: Sequence[int] = (), bias: bool = False, residual: bool = False,
                   **options) -> Optional[ExpectedCount]:
    """The literature's count of laws of φ, or None where no formula or argument covers these sizes; a residual
    connection keeps it (Prop. 3.2)."""
    spec = spec_of(name)
    if spec.expected_count is None:
        return None
    count = spec.expected_count(list(widths), bias, _options(spec, options))
    if count is not None and residual:
        count = count._replace(argument=f"the laws of g (Prop. 3.2): {count.argument}")
    return count


__all__ = ["SPECS", "architecture_sizes", "build_architecture", "check_request", "expected_count", "spec_of",
           "unknown_architecture"]
