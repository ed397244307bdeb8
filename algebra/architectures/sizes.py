"""Sizes of an architecture from its shape alone, before anything is built.

``architecture_sizes`` returns D (the number of parameters) and the number of
components of φ (the generators), with the same conventions as the builders, in
O(number of layers) work — so that a request for ``relu 1000 1000 1000``
(D = 2·10⁶, 10⁹ paths) can be refused before it allocates anything.
"""
from __future__ import annotations

from typing import Optional, Sequence


def architecture_sizes(name: str, widths: Sequence[int] = (), bias: bool = False,
                       **options: Optional[int | Sequence[int]]) -> tuple[int, int]:
    """(D, number of components of φ) of a registered architecture, from its sizes only (its spec's
    :attr:`~.spec.ArchitectureSpec.sizes`).  Sizes are assumed already validated (integers ≥ 1); missing options
    count as 1."""
    from .registry import architecture_sizes as sizes

    return sizes(name, widths, bias, **options)


def resnet_size(dim: int, hidden: Sequence[int], bias: bool = False, classes: int = 0,
                kinds: Optional[Sequence[str]] = None, conv: Optional[Sequence[int]] = None) -> int:
    """D of the residual network of :func:`conslaw.algebra.deep.residual_mlp`."""
    D = classes * dim
    for l, r in enumerate(hidden):
        if kinds and kinds[l] == "conv" and conv:
            C, _, k1, k2 = conv
            D += r * C * k1 + C * r * k2 + (r if bias else 0)
        else:
            D += 2 * dim * r + (r if bias else 0)
    return D
