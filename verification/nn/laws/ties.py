"""The tie/reuse filter: a law group is claimed only if none of its parameters is frozen, shared with another
module (tied weights) or read more than once (a module called twice); otherwise it is skipped with the reason."""
from __future__ import annotations

import torch.fx as fx
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
from .inventory import LawGroup


def _shared_parameters(model: nn.Module) -> dict[str, list[str]]:
    """Canonical parameter name → every name it has, for parameters registered under several names (tied weights)."""
    names: dict[int, list[str]] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(name)
    return {v[0]: v for v in names.values() if len(v) > 1}


def _reads(graph: fx.Graph, calls: dict[str, int], names: set[str]) -> dict[str, int]:
    """How many places of the forward pass read each parameter: its module's calls, plus every op that reads it
    directly (an fx ``get_attr``, e.g. ``F.embedding(idx, self.head.weight)``).  Two or more: tied."""
    reads = {n: calls.get(n.rsplit(".", 1)[0], 0) for n in names}
    for node in graph.nodes:
        if node.op == "get_attr" and node.target in names:
            reads[node.target] += len(node.users)  # (a lifted graph keeps unused get_attr nodes)
    return reads


def _unclaimable(g: LawGroup, frozen: set[str], reads: dict[str, int], alias: dict, shared: dict,
                 calls: dict[str, int]) -> str:
    """Why a group cannot be claimed ("" when it can): a frozen parameter (a law may not need it to move), a
    module called twice, a parameter read in two places (tied functionally) or registered twice (tied)."""
    what = f"{g.kind} laws of {', '.join(g.modules)}"
    still = [p for p in g.params if p in frozen]
    if still:
        return (f"{what}: {', '.join(still)} is frozen (requires_grad=False): a constant, which the symmetry would "
                "have to move; not claimed")
    reused = sorted({p.rsplit(".", 1)[0] for p in g.params if calls.get(p.rsplit(".", 1)[0], 0) > 1})
    if reused:
        return (f"{what}: {', '.join(reused)} is called more than once in the forward pass, and each call sees the "
                "rescaling differently; not claimed")
    twice = [p for p in g.params if reads.get(p, 0) > 1]
    if twice:
        return (f"{what}: {', '.join(twice)} is read in more than one place of the forward pass (tied weights, e.g. "
                "an embedding that reuses it), whose other use breaks the symmetry; not claimed")
    tied = [p for p in g.params if p in alias]
    if tied:
        others = sorted({n for p in tied for n in shared[alias[p]] if n != p})
        return (f"{what}: {', '.join(tied)} is shared with {', '.join(others)} (tied weights), whose other use breaks "
                "the symmetry; not claimed")
    return ""


def claimable(model: nn.Module, graph, groups: list) -> tuple[list, list[str]]:
    """(the groups that can be claimed, the reasons the others cannot): a group is skipped when one of its parameters
    is frozen, tied to another module's or read more than once (:func:`_unclaimable`)."""
    shared = _shared_parameters(model)
    alias = {name: canon for canon, names in shared.items() for name in names}
    calls: dict[str, int] = {}
    for node in graph.nodes:
        if node.op == "call_module":
            calls[node.target] = calls.get(node.target, 0) + 1
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    reads = _reads(graph, calls, set(dict(model.named_parameters())))
    kept, skipped = [], []
    for g in groups:
        why = _unclaimable(g, frozen, reads, alias, shared, calls)
        if why:
            skipped.append(why)
        else:
            kept.append(g)
    return kept, skipped

