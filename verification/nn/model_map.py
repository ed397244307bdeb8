"""The map whose gradients are a model's fields: θ ↦ its outputs on a batch, projected on the loss's directions
(docs/THEORY.md §1), as the numerical count and the symmetry search both use it."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Optional

import torch
from torch import nn
from torch.func import functional_call
from torch.nn.attention import SDPBackend, sdpa_kernel

from conslaw.algebra import ConslawError

from .ops import CompositeOps

LOSSES = ("cross_entropy", "mse")


def class_axis(ndim: int, class_dim: Optional[int] = None) -> int:
    """The axis of the classes in an output of ``ndim`` dimensions, as ``torch.nn.functional.cross_entropy`` reads
    it: axis 1 for outputs of 2 or more dimensions ((N, C), (N, C, H, W), …), axis 0 for a single (C,) output;
    ``class_dim`` overrides it (negative values count from the end)."""
    if class_dim is None:
        return 1 if ndim >= 2 else 0
    if not -ndim <= class_dim < ndim:
        raise ConslawError(f"class_dim {class_dim} is not an axis of the model's {ndim}-dimensional output")
    return class_dim % ndim


def module_map(model: nn.Module, inputs: torch.Tensor, loss: str = "cross_entropy",
               batch_norm_eps: float | None = None, class_dim: Optional[int] = None):
    """(θ_0 flat, names, θ ↦ the model's outputs on ``inputs`` projected on the loss's directions, flattened);
    ``batch_norm_eps``: if given, the eps every batch norm uses instead of its own (composite_ops).  θ holds the
    trainable parameters only: a parameter with ``requires_grad=False`` is a constant of the map (frozen).  For the
    cross-entropy the outputs are centred along the class axis (:func:`class_axis`, torch's convention)."""
    if loss not in LOSSES:
        raise ConslawError(f"unknown loss {loss!r}: use one of {', '.join(LOSSES)}")
    every = dict(model.named_parameters())  # tied weights appear once
    named = {n: p for n, p in every.items() if p.requires_grad}
    frozen = {n: p.detach() for n, p in every.items() if not p.requires_grad}
    if not named:
        raise ConslawError("the model has no trainable parameter (every one has requires_grad=False)")
    names = list(named)
    shapes = [named[n].shape for n in names]
    sizes = [named[n].numel() for n in names]
    theta0 = torch.cat([named[n].detach().reshape(-1) for n in names])
    buffers = {n: b.detach() for n, b in model.named_buffers()}

    def g(theta: torch.Tensor) -> torch.Tensor:
        params = {n: t.reshape(s) for n, t, s in zip(names, torch.split(theta, sizes), shapes)}
        # brackets are forward-over-reverse: attention must run its composite (math) kernel, which forward AD
        # differentiates; the fused CPU/GPU kernels have no forward derivative
        # batch norm in training mode updates its running statistics in place: on copies made here, never on
        # the model's own buffers (which a function transform may not mutate)
        params.update({n: b.clone() for n, b in buffers.items()})
        params.update(frozen)
        with sdpa_kernel([SDPBackend.MATH]), CompositeOps(batch_norm_eps):  # exact higher derivatives (composite_ops)
            out = functional_call(model, params, (inputs,))
        if loss == "cross_entropy":  # softmax is invariant along 1: only zero-sum directions w along the classes
            out = out - out.mean(dim=class_axis(out.ndim, class_dim), keepdim=True)
        return out.reshape(-1)

    return theta0, names, g


def batches_map(model: nn.Module, batches: list[torch.Tensor], loss: str = "cross_entropy",
                batch_norm_eps: float | None = None, class_dim: Optional[int] = None):
    """:func:`module_map` on several batches at once: θ ↦ (g_1(θ), g_2(θ), …), each batch run on its own — as the
    minibatches of SGD are, a batch norm in training mode normalising each by its own statistics.  The fields of
    one batch are fields of this map, so the Lie algebra of a batch lies in this one's.  For a model that treats
    its inputs one by one this is :func:`module_map` on the concatenated batches."""
    maps = [module_map(model, x, loss, batch_norm_eps, class_dim) for x in batches]
    theta0, names, _ = maps[0]
    if len(maps) == 1:
        return maps[0]
    parts = [g for _, _, g in maps]
    return theta0, names, lambda theta: torch.cat([g(theta) for g in parts])


DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


@contextmanager
def dropout_off(model: nn.Module):
    """Dropout draws a fresh mask at every call: within this, the model's dropout layers are off (their masks are
    positively homogeneous, so they neither add nor remove a law); other layers keep their mode.  Yields how many
    were switched off; they are switched back on after."""
    dropouts = [m for m in model.modules() if isinstance(m, DROPOUT_TYPES) and m.training]
    for m in dropouts:
        m.eval()
    try:
        yield len(dropouts)
    finally:
        for m in dropouts:
            m.train()
