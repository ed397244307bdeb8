"""The papers' law count for a drawn instance, from the architecture registry.

:func:`expected_law_count` returns an :class:`~conslaw.verification.catalogue.schema.Expectation` (the count, whether
the theorem's hypotheses hold at these sizes, and the argument) where a formula or an independent argument
covers the instance — each architecture's :attr:`~conslaw.algebra.architectures.spec.ArchitectureSpec.expected_count`
(two-layer linear nets: Prop. 3.5 and, beyond r ≤ n + m, the image of Z ↦ ZᵀJZ; ReLU nets: one law per hidden
neuron; convolutional blocks: Theorem 3.6; attention: Cor. 3.9 and, outside it, the linear counts of [Q; K] and
[V; O] per head; softmax: Prop. 3.11; leaky ReLU: the ReLU count, or at slope 1 the linear one) — and ``None``
where neither does (then only cross-checks between code paths apply).  A residual connection keeps the count
(Prop. 3.2).
"""
from __future__ import annotations

from typing import Optional

from conslaw.algebra.architectures import expected_count

from ..catalogue.schema import Expectation, Instance


def expected_law_count(inst: Instance) -> Optional[Expectation]:
    """The papers' count of laws of φ for ``inst``, or ``None`` where no formula or argument covers it."""
    count = expected_count(inst.arch, inst.widths, inst.bias, inst.residual, **dict(inst.options))
    return None if count is None else Expectation(*count)


__all__ = ["expected_law_count"]
