"""The papers' law count for a drawn instance, from the formulas of the theorem catalogue.

:func:`expected_law_count` returns an :class:`~conslaw.verification.catalogue.theorems.Expectation` (the count, whether
the theorem's hypotheses hold at these sizes, and the argument) where a formula or an independent argument
covers the instance, and ``None`` where neither does (then only cross-checks between code paths apply):

* two-layer linear nets: Prop. 3.5, r(r+1)/2 for r ≤ n + m; beyond, r k − k(k−1)/2 with k = n + m (the image of
  Z ↦ ZᵀJZ, an independent argument);
* ReLU nets (± biases, residual or not): one law per hidden neuron (Prop. 3.5; Prop. 3.2 for the residual
  block; the 2023 paper for depth);
* convolutional ReLU blocks: one law per hidden channel (Theorem 3.6);
* one attention head: d'(d'+1)/2 + d''(d''+1)/2 (Cor. 3.9; the two-layer linear count of [Q; K] and [V; O],
  which keeps holding for φ up to d', d'' ≤ 2d); H heads: the heads' parameters are disjoint and φ's
  components split by head, so φ has H times the per-head count (an independent argument; whether the
  *model* has no other law is open, Cor. 3.10);
* softmax layers: n column sums (+ the bias sum) (Prop. 3.11).
"""
from __future__ import annotations

from typing import Optional

from ..catalogue.formulas import (
    attention_head,
    conv_channels,
    hidden_neurons,
    residual_relu,
    softmax_columns,
    two_layer_linear,
)
from ..catalogue.schema import Expectation, Instance


def _linear_pair(inner: int, n: int, m: int) -> tuple[int, bool]:
    """Laws of (U, V) ↦ V Uᵀ with inner size r: r(r+1)/2 if r ≤ n + m, else r k − k(k−1)/2, k = n + m."""
    count = two_layer_linear(Instance("linear", (n, inner, m)))
    return count.laws, count.in_hypotheses


def _attention(inst: Instance) -> Expectation:
    o = dict(inst.options)
    d, dk, dv, heads = o["d"], o["dk"], o["dv"], o.get("heads", 1)
    if heads == 1 and dk <= d and dv <= d and d >= 2:
        return attention_head(inst)
    (qk, qk_in), (vo, vo_in) = _linear_pair(dk, d, d), _linear_pair(dv, d, d)
    per_head = qk + vo
    why = (f"per head {per_head}: the two-layer linear counts of [Q; K] (inner size {dk}) and [V; O] "
           f"(inner size {dv}) with n = m = d = {d}")
    if heads > 1:
        why += f"; {heads} heads on disjoint parameters: {heads} x {per_head}"
    return Expectation(heads * per_head, heads == 1 and qk_in and vo_in and d >= 2 and dk <= d and dv <= d, why)


def expected_law_count(inst: Instance) -> Optional[Expectation]:
    """The papers' count of laws of φ for ``inst``, or ``None`` where no formula or argument covers it."""
    if inst.arch == "relu":
        return residual_relu(inst) if inst.residual else hidden_neurons(inst)
    if inst.arch == "linear":
        return two_layer_linear(inst) if len(inst.widths) == 3 else None
    if inst.arch == "conv":
        return conv_channels(inst)
    if inst.arch == "attention":
        return _attention(inst)
    if inst.arch == "softmax":
        return softmax_columns(inst)
    return None


__all__ = ["expected_law_count"]
