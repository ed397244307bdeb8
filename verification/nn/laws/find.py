"""Conservation laws of real PyTorch modules, found by reading the traced module graph (``torch.fx``, or
``torch.export`` with example inputs) for the symmetry patterns whose laws the papers give.

Each pattern is one module of this package with its matcher (:mod:`.registry` orders them): **rescale**
(:mod:`.rescale`), **scale** before batch norm (:mod:`.scale`), **norm rescale** (:mod:`.layer_norm`), **column
sums** (:mod:`.column_sum`), **bias differences** (:mod:`.translation`), **attention** (:mod:`.self_attention`,
:mod:`.torch_attention`, and hand-written attention in :mod:`.hand_attention`).  Then the tie/reuse filter
(:mod:`.ties`) drops what frozen, tied or reused parameters break, and with example inputs every group is verified
on them (:mod:`.refute`).  Parametrised modules of other types are listed in ``unsupported``, known types around
which no pattern matched in ``without_laws`` (:mod:`.coverage`), skipped groups with their reason: never skipped
silently.  A model torch.fx cannot trace raises :class:`ModuleTracingError`, whose message gives the way out:
``find_laws(model, groups=[rescale_group(model, "fc1", "fc2"), ...])``.  Measuring the laws on batches is
:func:`conslaw.verification.nn.measure.check_laws`'s.
"""
from __future__ import annotations

from typing import Sequence

import torch
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
from . import hand_attention
from .coverage import _not_analysed
from .inventory import LawGroup, LawInventory, MatchContext
from .refute import refute_on_inputs
from .registry import NODE_PATTERNS
from .searched import complete_with_search
from .ties import claimable


def find_laws(model: nn.Module, groups: Sequence[LawGroup] | None = None,
              example_inputs: Sequence[torch.Tensor] | torch.Tensor | None = None, *, search: bool = True,
              loss: str = "cross_entropy", class_dim: int | None = None) -> LawInventory:
    """Every law the patterns of the module docstring give, and the parametrised modules left unanalysed.

    A pattern whose parameters are shared with another module (tied weights) is not
    claimed: the other use breaks the symmetry in general; it is listed in ``skipped``.
    ``groups``: law groups declared by hand (e.g. ``rescale_group(model, "fc1", "fc2")``); with
    them the model is not traced, so a model torch.fx cannot trace can still be checked.
    ``example_inputs`` (a tensor or a tuple of the forward's arguments): the graph then carries shapes, which
    the hand-written attention pattern and concatenations need, and a model torch.fx cannot trace is read
    through torch.export (:mod:`module_graph`).  Nothing is computed on them: shapes come from fake tensors.
    Tracing failures raise :class:`ModuleTracingError` with the way out.  With example inputs, every group is then
    verified on them for the ``loss`` (:func:`.refute.refute_on_inputs`): for the cross-entropy along its class axis
    (``class_dim``; torch's axis 1 by default, so a language model's (B, T, V) logits need ``class_dim=-1``).

    With example inputs (one tensor) and ``search`` (the default), the **symmetry search**
    (:mod:`conslaw.verification.nn.search`) then finds the laws no pattern gave, for the ``loss`` (``class_dim``: its
    class axis): they are added as groups of kind ``symmetry search: …``, verified on the inputs like the others; a
    model too large for it (or one that neither torch.fx nor torch.export can trace, searched alone) is said in
    ``notes``.
    """
    mods = dict(model.named_modules())
    inv = LawInventory()
    if groups is not None:
        inv.groups = list(groups)
        inv.unsupported, inv.without_laws = _not_analysed(model, inv.groups, mods)
        return inv
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    searched = search and example_inputs is not None and len(example_inputs) == 1
    try:
        traced = trace_module(model, example_inputs)
    except ModuleTracingError as exc:
        if not searched:
            raise
        inv.unsupported.append(f"the whole model: {exc} — no pattern was read; the symmetry search alone gives its laws")
        complete_with_search(model, inv, example_inputs[0], loss=loss, class_dim=class_dim)
        return inv
    graph, opaque = traced.graph, traced.opaque
    inv.traced_by, inv.notes = traced.method, list(traced.notes)
    way_out = "declare them with find_laws(model, groups=[...])" if example_inputs is not None else \
        "pass example_inputs=(x,) to read it through torch.export, or declare them with find_laws(model, groups=[...])"
    for name, reason in opaque.items():
        inv.unsupported.append(f"{name} ({type(mods[name]).__name__}): torch.fx cannot trace it ({reason}), so no "
                               f"law inside it is analysed; {way_out}")
    ctx = MatchContext(mods, inv)
    for node in graph.nodes:
        if node.op != "call_module":
            continue
        for _, match in NODE_PATTERNS:
            if match(node, mods[node.target], ctx):
                break  # a whole block (attention): the other patterns do not read inside it
    if traced.shapes:
        hand_attention.match_graph(graph, mods, set(dict(model.named_parameters())), inv)
    elif example_inputs is None and any(isinstance(m, nn.Linear) for m in mods.values()):
        inv.notes.append("hand-written attention (q, k, v, o Linear layers) is found only with shapes: "
                         "find_laws(model, example_inputs=(x,))")
    unknown, inv.without_laws = _not_analysed(model, inv.groups, mods, opaque)
    inv.unsupported += unknown
    inv.groups, skipped = claimable(model, graph, inv.groups)
    inv.skipped += skipped
    if example_inputs is not None:  # every group verified on the inputs before it is returned
        inv.groups, refuted = refute_on_inputs(model, inv.groups, tuple(example_inputs), loss=loss,
                                                  class_dim=class_dim)
        inv.refuted = refuted
        inv.skipped += refuted
        if searched:
            complete_with_search(model, inv, example_inputs[0], loss=loss, class_dim=class_dim, graph=graph)
        elif search:
            inv.notes.append("symmetry search not run: it needs the forward's one input tensor")
    else:
        inv.notes.append("no example inputs: the laws are those of the patterns, not verified on data (pass "
                         "example_inputs=(x,) to verify each group on it, or use check_laws)")
    return inv
