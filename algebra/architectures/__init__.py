"""The architectures: one module per architecture, each with its :class:`~.spec.ArchitectureSpec` (``SPEC``), and
the registry that looks them up by name (:mod:`.registry`).

``build_architecture(name, widths, bias=..., residual=..., **options)`` checks that every option given applies to
the architecture named, so a misplaced option is an error rather than silently ignored.
"""
from __future__ import annotations

from typing import Callable

from .attention import attention_description, attention_layer, attention_notes, check_attention_sizes
from .base import Architecture
from .conv import conv_relu_block
from .leaky_relu import leaky_relu_network
from .linear import linear_network
from .registry import (
    SPECS,
    architecture_sizes,
    build_architecture,
    check_request,
    expected_count,
    spec_of,
    unknown_architecture,
)
from .relu import relu_network
from .residual import residual as residual_block
from .residual import residual_description
from .softmax import check_softmax_sizes, softmax_layer, softmax_widths
from .spec import ArchitectureSpec, ExpectedCount

#: name → the builder function of each architecture (its signature, its docstring)
ARCHITECTURES: dict[str, Callable[..., Architecture]] = {
    "linear": linear_network,
    "relu": relu_network,
    "softmax": softmax_layer,
    "conv": conv_relu_block,
    "attention": attention_layer,
    "leaky-relu": leaky_relu_network,
}

__all__ = [
    "ARCHITECTURES", "Architecture", "ArchitectureSpec", "ExpectedCount", "SPECS", "architecture_sizes",
    "attention_description", "attention_layer", "attention_notes", "build_architecture", "check_attention_sizes",
    "check_request", "check_softmax_sizes", "conv_relu_block", "expected_count", "leaky_relu_network", "linear_network", "relu_network",
    "residual_block", "residual_description", "softmax_layer", "softmax_widths", "spec_of", "unknown_architecture",
]
