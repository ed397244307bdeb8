"""Registry of architectures: name → builder of an :class:`Architecture`."""
from __future__ import annotations

from typing import Callable, Sequence

from ..errors import ShapeError, UnknownArchitectureError
from .base import Architecture
from .linear import linear_network
from .relu import relu_network

ARCHITECTURES: dict[str, Callable[..., Architecture]] = {
    "linear": linear_network,
    "relu": relu_network,
}


def build_architecture(name: str, widths: Sequence[int], bias: bool = False) -> Architecture:
    """Build a registered architecture by name; unknown names and options are refused."""
    key = name.lower()
    if key not in ARCHITECTURES:
        raise UnknownArchitectureError(
            f"unknown architecture {name!r}; known: {', '.join(sorted(ARCHITECTURES))}"
        )
    if key == "relu":
        return relu_network(widths, bias=bias)
    if bias:
        raise ShapeError(f"architecture {name!r} takes no biases")
    return ARCHITECTURES[key](widths)


__all__ = ["ARCHITECTURES", "Architecture", "build_architecture", "linear_network", "relu_network"]
