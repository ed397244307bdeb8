"""Registry of architectures: name → builder of an :class:`Architecture`.

``build_architecture(name, widths, bias=..., residual=..., **options)``
checks that every option given applies to the architecture named, so a
misplaced option is an error rather than silently ignored.
"""
from __future__ import annotations

import difflib
from typing import Callable, Sequence

from ..errors import ShapeError, UnknownArchitectureError
from .attention import attention_description, attention_layer, attention_notes, check_attention_sizes
from .base import Architecture
from .conv import conv_relu_block
from .linear import linear_network
from .relu import relu_network
from .residual import residual as residual_block
from .residual import residual_description
from .softmax import softmax_layer


def _linear(widths, bias, opts):
    return linear_network(widths)


def _relu(widths, bias, opts):
    return relu_network(widths, bias=bias)


def _softmax(widths, bias, opts):
    if len(widths) != 2:
        raise ShapeError(f"softmax takes two sizes: n (inputs) and K (classes), got {list(widths)}")
    return softmax_layer(widths[0], widths[1], bias=bias)


def _conv(widths, bias, opts):
    if any(opts.get(k) is None for k in ("channels", "length", "filters")):
        raise ShapeError("conv needs --channels C J K, --length N and --filters k1 k2")
    return conv_relu_block(opts["channels"], opts["length"], opts["filters"], opts.get("strides") or (1, 1))


def _attention(widths, bias, opts):
    missing = [k for k in ("d", "dk", "dv") if opts.get(k) is None]
    if missing:
        raise ShapeError(f"attention needs --d, --dk and --dv (missing: {', '.join('--' + m for m in missing)})")
    return attention_layer(opts["d"], opts["dk"], opts["dv"], heads=opts.get("heads") or 1, tokens=opts.get("tokens") or 2)


# name → (builder, takes widths, takes bias, options it accepts)
_REGISTRY: dict[str, tuple[Callable, bool, bool, frozenset]] = {
    "linear": (_linear, True, False, frozenset()),
    "relu": (_relu, True, True, frozenset()),
    "softmax": (_softmax, True, True, frozenset()),
    "conv": (_conv, False, False, frozenset({"channels", "length", "filters", "strides"})),
    "attention": (_attention, False, False, frozenset({"d", "dk", "dv", "heads", "tokens"})),
}
ARCHITECTURES: dict[str, Callable[..., Architecture]] = {
    "linear": linear_network,
    "relu": relu_network,
    "softmax": softmax_layer,
    "conv": conv_relu_block,
    "attention": attention_layer,
}


def unknown_architecture(name: str, known: Sequence[str]) -> UnknownArchitectureError:
    """The error for an architecture name not in ``known``: every known name, and the closest as a suggestion."""
    close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return UnknownArchitectureError(f"unknown architecture {name!r}; known: {', '.join(sorted(known))}{hint}")


def check_request(name: str, widths: Sequence[int] = (), bias: bool = False, **options) -> str:
    """The registry key for ``name``, after refusing unknown names and options that do not apply to it."""
    key = name.lower()
    if key not in _REGISTRY:
        raise unknown_architecture(name, list(_REGISTRY))
    _, takes_widths, takes_bias, accepted = _REGISTRY[key]
    given = {k for k, v in options.items() if v is not None}
    if given - accepted:
        raise ShapeError(f"architecture {name!r} takes no option {', '.join(sorted(given - accepted))}")
    if widths and not takes_widths:
        raise ShapeError(f"architecture {name!r} takes no widths (got {list(widths)}); see its options")
    if bias and not takes_bias:
        raise ShapeError(f"architecture {name!r} takes no biases")
    return key


def build_architecture(
    name: str, widths: Sequence[int] = (), bias: bool = False, residual: bool = False, **options
) -> Architecture:
    """Build a registered architecture by name; unknown names and inapplicable options are refused."""
    builder = _REGISTRY[check_request(name, widths, bias, **options)][0]
    arch = builder(list(widths), bias, options)
    return residual_block(arch) if residual else arch


__all__ = [
    "ARCHITECTURES", "Architecture", "attention_description", "attention_layer", "attention_notes", "build_architecture",
    "check_attention_sizes", "check_request", "conv_relu_block",
    "linear_network", "relu_network", "residual_block", "residual_description", "softmax_layer",
]
