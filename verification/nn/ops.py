"""Normalisation layers and hard activations written out in elementary ops, for derivatives of order three and more.

The numerical count of a model's laws takes brackets of its gradient fields: nested forward-over-reverse
derivatives.  With torch 2.13, on the GPT-2 block of the tests, depth-2 brackets (third derivatives) computed
through torch's fused ``layer_norm`` lean on the LayerNorm laws — exact conservation laws — by |cos| = 2.1e-3,
where the same brackets through the composite formula below lean by 2.8e-17 (``python
benchmarks/higher_derivatives.py``).
So the count runs its model under :class:`CompositeOps`, which computes layer, RMS and batch norm from means
and square roots, and hardsigmoid/hardswish from ``clamp`` (torch 2.13 has no forward derivative for
``hardsigmoid_backward``, which a bracket needs); every other function is left alone.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode


def _arg(args: tuple, kwargs: dict, position: int, name: str, default=None):
    return args[position] if len(args) > position else kwargs.get(name, default)


def layer_norm(x, shape, weight=None, bias=None, eps=1e-5):
    """(x − mean) / sqrt(var + eps) · γ + β over the last ``len(shape)`` axes (biased variance)."""
    dims = tuple(range(-len(shape), 0))
    mean = x.mean(dims, keepdim=True)
    y = (x - mean) / torch.sqrt((x - mean).pow(2).mean(dims, keepdim=True) + eps)
    y = y * weight if weight is not None else y
    return y + bias if bias is not None else y


def rms_norm(x, shape, weight=None, eps=None):
    """x / sqrt(mean(x²) + eps) · γ over the last ``len(shape)`` axes."""
    dims = tuple(range(-len(shape), 0))
    eps = torch.finfo(x.dtype).eps if eps is None else eps
    y = x / torch.sqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y * weight if weight is not None else y


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Per channel (axis 1): batch statistics in training mode (biased variance), the running ones otherwise.
    The running statistics are not updated: the count evaluates a function of θ."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        dims = tuple(d for d in range(x.ndim) if d != 1)
        mean = x.mean(dims, keepdim=True)
        var = (x - mean).pow(2).mean(dims, keepdim=True)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    y = (x - mean) / torch.sqrt(var + eps)
    y = y * weight.reshape(shape) if weight is not None else y
    return y + bias.reshape(shape) if bias is not None else y


def hardsigmoid(x, inplace=False):
    """clamp(x/6 + 1/2, 0, 1)."""
    return torch.clamp(x / 6 + 0.5, 0.0, 1.0)


def hardswish(x, inplace=False):
    """x · hardsigmoid(x)."""
    return x * hardsigmoid(x)


class CompositeOps(TorchFunctionMode):
    """Within this mode, ``F.layer_norm``, ``F.rms_norm``, ``F.batch_norm``, ``F.hardsigmoid`` and ``F.hardswish``
    run the composite formulas above.  ``batch_norm_eps``: if given, batch norm uses it instead of its own eps
    (0: the idealised layer of Neural Mechanics, under which the scale laws hold exactly)."""

    def __init__(self, batch_norm_eps: float | None = None):
        super().__init__()
        self.batch_norm_eps = batch_norm_eps

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.hardsigmoid:
            return hardsigmoid(args[0])
        if func is F.hardswish:
            return hardswish(args[0])
        if func is F.layer_norm:
            return layer_norm(args[0], _arg(args, kwargs, 1, "normalized_shape"), _arg(args, kwargs, 2, "weight"),
                              _arg(args, kwargs, 3, "bias"), _arg(args, kwargs, 4, "eps", 1e-5))
        if getattr(F, "rms_norm", None) is not None and func is F.rms_norm:
            return rms_norm(args[0], _arg(args, kwargs, 1, "normalized_shape"), _arg(args, kwargs, 2, "weight"),
                            _arg(args, kwargs, 3, "eps"))
        if func is F.batch_norm:
            return batch_norm(args[0], _arg(args, kwargs, 1, "running_mean"), _arg(args, kwargs, 2, "running_var"),
                              _arg(args, kwargs, 3, "weight"), _arg(args, kwargs, 4, "bias"),
                              _arg(args, kwargs, 5, "training", False), _arg(args, kwargs, 6, "momentum", 0.1),
                              _arg(args, kwargs, 7, "eps", 1e-5) if self.batch_norm_eps is None else self.batch_norm_eps)
        return func(*args, **kwargs)
