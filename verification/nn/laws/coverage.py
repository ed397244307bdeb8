"""What :func:`~.find.find_laws` could not analyse: parametrised modules of unknown types (``unsupported``) and
known ones around which no pattern matched (``without_laws``) — never skipped silently."""
from __future__ import annotations

from typing import Sequence

from torch import nn

from ..graph import (  # noqa: F401
    AFFINE_NORM_TYPES,
    LEAF_TYPES,
    LINEAR_TYPES,
    NORM_TYPES,
    ModuleTracingError,
    node_shape,
    op_name,
    trace_module,
)
from .inventory import KNOWN_TYPES, LawGroup


def _not_analysed(model: nn.Module, groups: Sequence[LawGroup], mods: dict,
                  opaque: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """Modules with parameters of their own that no law group uses: (unknown layer types, known types around
    which no pattern matched), each named with the reason; inside an opaque module, the opaque one says it."""
    used = {p for g in groups for p in g.params}
    inside = tuple(f"{o}." for o in (opaque or {}))
    unknown, unmatched = [], []
    for name, m in mods.items():
        if inside and name.startswith(inside):
            unmatched.append(f"{name} ({type(m).__name__}): inside a module torch.fx cannot trace: not analysed")
            continue
        own = [f"{name}.{n}" if name else n for n, _ in m.named_parameters(recurse=False)]
        if not own or any(p in used for p in own):
            continue
        if isinstance(m, KNOWN_TYPES + LEAF_TYPES):
            unmatched.append(f"{name} ({type(m).__name__}): no law pattern matched around it (e.g. not followed by a "
                             "ReLU and a Linear/Conv, nor by a BatchNorm)")
        else:
            unknown.append(f"{name} ({type(m).__name__}): no law pattern known for this layer type")
    return unknown, unmatched
