"""The symmetry patterns :func:`~.find.find_laws` reads the traced graph for, in the order it tries them on each
``call_module`` node (that order is the inventory's, as the tests pin it).

Each pattern module has ``match(node, module, ctx) -> bool``: it adds its law groups to ``ctx.inventory`` and
returns True when the node is a whole block whose inside the other patterns must not read (attention modules).
Adding a pattern is one module with its ``match`` and one line here.
"""
from __future__ import annotations

from typing import Callable

from . import column_sum, layer_norm, rescale, scale, self_attention, torch_attention, translation

Match = Callable[..., bool]

#: (name, matcher), in the order they are tried on each node
NODE_PATTERNS: tuple[tuple[str, Match], ...] = (
    ("attention", self_attention.match),
    ("torch attention", torch_attention.match),
    ("scale", scale.match),
    ("rescale", rescale.match),
    ("norm rescale", layer_norm.match),
    ("column sums", column_sum.match),
    ("bias differences", translation.match),
)

__all__ = ["Match", "NODE_PATTERNS"]
