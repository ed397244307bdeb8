"""Pattern **rescale** (positive homogeneity; Neural Mechanics, Prop. 3.5, Theorem 3.6): per hidden channel j of a
writer A, ‖A_j‖² (+ b_j²) − Σ_B ‖B_{:,j}‖² over the layers B that absorb its scaling."""
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
from .inventory import LawGroup, _cols, _named, _rows, _signed_squares, _tex
from .walk import Reading, _absorbers


def rescale_group(model: nn.Module, first: str, second: str) -> LawGroup:
    """The rescale laws of a hidden layer declared by hand: ``first`` (Linear/Conv/BatchNorm) → a positively
    homogeneous activation → ``second`` (Linear/Conv), for ``find_laws(model, groups=[...])``."""
    a = _named(model, first, LINEAR_TYPES + NORM_TYPES, "a Linear, Conv or BatchNorm layer")
    return _rescale_group([(first, a)], [(second, _named(model, second, LINEAR_TYPES, "a Linear or Conv layer"), Reading())])


def _rescale_group(writers: Sequence[tuple[str, nn.Module]],
                   consumers: Sequence[tuple[str, nn.Module, Reading]]) -> LawGroup | None:
    """Per hidden channel j: Σ_A ‖A_j‖² (+ b_j², or γ_j² + β_j²) over the writers A (the layers whose channel j is
    scaled: one, or every layer writing into a residual stream) − Σ_B ‖B's weights reading channel j‖² over the
    consumers B (name, module, how it reads the channels); None if a consumer's shape does not fit.

    A grouped convolution B reads channel c = g·(in/G) + i through ``B.weight[g·out/G:(g+1)·out/G, i]``; after a
    concatenation, channel j is the consumer's channel base + j; after a flatten, a Linear's columns
    base + j·S … base + (j+1)·S − 1 (S = in_features / channels when the shapes are not known)."""
    channels = writers[0][1].weight.shape[0]
    readers = []
    for b_name, b, r in consumers:
        size = getattr(b, "in_features", getattr(b, "in_channels", None))
        if r.total is not None and size != r.total:
            return None
        if r.flattened:
            per = r.per_channel if r.per_channel is not None else (size // channels if size % channels == 0 else 0)
            if not isinstance(b, nn.Linear) or not per or r.base + channels * per > size \
                    or r.per_channel is None and size != channels * per:
                return None
            readers.append((b_name, b, r.base, per))
        else:
            if r.base + channels > size or r.total is None and size != channels:
                return None
            readers.append((b_name, b, r.base, 0))
    own = [(n, f"{n}.weight", f"{n}.bias" if getattr(m, "bias", None) is not None else None) for n, m in writers]
    params = tuple(dict.fromkeys([w for _, w, _ in own] + [b for _, _, b in own if b]
                                 + [f"{n}.weight" for n, *_ in readers]))

    def incoming(p):
        total = 0
        for _, w, b in own:
            total = total + (_rows(p[w]) if p[w].ndim > 1 else p[w].pow(2))
            if b:
                total = total + p[b].pow(2)
        return total

    def outgoing(p):
        total = 0
        for b_name, b, base, per in readers:
            w = p[f"{b_name}.weight"]
            if per:
                block = w[:, base:base + channels * per]
                total = total + block.reshape(w.shape[0], channels, per).pow(2).sum(dim=(0, 2))
            else:
                total = total + _cols(w, getattr(b, "groups", 1))[base:base + channels]
        return total

    def columns(base: int, per: int) -> str:
        if per:
            return "{:," + (f"{base}+" if base else "") + "jS:" + (f"{base}+" if base else "") + "(j+1)S}"
        return "{:," + (f"{base}+j" if base else "j") + "}"

    def row(name: str, w: str, b: str | None, module: nn.Module) -> str:
        first = rf"\|{_tex(w)}_{{j}}\|^2" if module.weight.ndim > 1 else rf"({_tex(w)}_{{j}})^2"
        return first + (rf" + ({_tex(b)}_{{j}})^2" if b else "")

    latex = " + ".join(row(n, w, b, m) for (n, w, b), (_, m) in zip(own, writers))
    latex += "".join(rf" - \|{_tex(n + '.weight')}_{columns(base, per)}\|^2" for n, _, base, per in readers)
    modules = tuple(dict.fromkeys([n for n, _ in writers] + [n for n, *_ in readers]))
    if len(modules) < len(writers) + len(readers):  # a layer both writes and reads the stream: supports overlap
        return LawGroup("rescale", modules, latex, params, lambda p: incoming(p) - outgoing(p), channels)
    return _signed_squares("rescale", modules, latex, params, incoming, outgoing, channels)


def match(node, m, ctx) -> bool:
    """A Linear, Conv or norm layer whose channels' scaling is absorbed further on (:func:`~.walk._absorbers`), once
    per writer: one rescale group with every writer that joins it (a residual stream)."""
    name = node.target
    if not isinstance(m, LINEAR_TYPES + NORM_TYPES) or name in ctx.writing:
        return False
    found = _absorbers(node, ctx.mods)
    if found is not None:
        readers, joined = found
        group = _rescale_group([(name, m)] + [(w.target, ctx.mods[w.target]) for w in joined],
                               [(n.target, ctx.mods[n.target], r) for n, r in readers])
        if group is not None:
            ctx.inventory.groups.append(group)
            ctx.writing.update(w.target for w in joined)
    return False
