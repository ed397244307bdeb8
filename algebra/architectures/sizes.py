"""Sizes of an architecture from its shape alone, before anything is built.

``architecture_sizes`` returns D (the number of parameters) and the number of
components of φ (the generators), with the same conventions as the builders, in
O(number of layers) work — so that a request for ``relu 1000 1000 1000``
(D = 2·10⁶, 10⁹ paths) can be refused before it allocates anything.
"""
from __future__ import annotations

from typing import Optional, Sequence


def _relu_paths(widths: Sequence[int], bias: bool) -> int:
    """Paths input (or hidden bias) → output of the path lifting: P_l = n_{l−1} P_{l−1} + [bias, l < q]."""
    q, paths = len(widths) - 1, 1
    for l in range(1, q + 1):
        paths = widths[l - 1] * paths + (1 if bias and l < q else 0)
    return widths[-1] * paths


def architecture_sizes(name: str, widths: Sequence[int] = (), bias: bool = False,
                       **options: Optional[int | Sequence[int]]) -> tuple[int, int]:
    """(D, number of components of φ) of a registered architecture, from its sizes only.

    Sizes are assumed already validated (integers ≥ 1); missing options count as 1.
    """
    w = list(widths)
    if name == "linear":
        return sum(a * b for a, b in zip(w, w[1:])), w[0] * w[-1]
    if name == "relu":
        return sum(a * b for a, b in zip(w, w[1:])) + (sum(w[1:-1]) if bias else 0), _relu_paths(w, bias)
    if name == "softmax":
        n, K = w
        return K * n + (K if bias else 0), (K - 1) * (n + (1 if bias else 0))
    if name == "conv":
        C, J, K = options.get("channels") or (1, 1, 1)
        k1, k2 = options.get("filters") or (1, 1)
        return J * C * k1 + K * J * k2, J * C * k1 * K * k2
    if name == "attention":
        d, dk, dv = (options.get(k) or 1 for k in ("d", "dk", "dv"))
        H = options.get("heads") or 1
        return 2 * d * (dk + dv) * H, 2 * d * d * H
    raise KeyError(name)


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
