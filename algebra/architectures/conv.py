"""Two-layer multi-channel convolutional ReLU block (eq. 16, Theorem 3.6 of the main paper).

Input channels C, hidden channels J, output channels K, signals of length N,
circular convolutions with filters ``U1[j,c,a]`` (a < k1) and ``U2[k,j,b]``
(b < k2).  With stride s, zeros are inserted between the taps: tap a acts at
offset s·a.  Hidden unit (j, t) = σ(Σ_c Σ_a U1[j,c,a] x_c[t + s1·a mod N]);
output (k, t) = Σ_j Σ_b U2[k,j,b] h_j[t + s2·b mod N].  The first layer is a
matrix with circulant blocks; φ is the ReLU path lifting of the two
structured matrices: the products of the two weights along every path
input → hidden unit → output (the distinct monomials).  Known laws, one per
hidden channel j:  Σ_c ‖u_{j,c}‖² − Σ_k ‖v_{k,j}‖².
"""
from __future__ import annotations

from typing import Sequence

from ..errors import ShapeError
from ..parameters import ParameterSpace
from .base import Architecture, positive_int
from .spec import ArchitectureSpec, ExpectedCount, Options, OptionSpec


def _taps(size: int, stride: int, length: int, which: str) -> None:
    """Refuse filters longer than the signal, or whose taps s·a (mod N) land on the same position."""
    if size > length:
        raise ShapeError(f"{which} filter size {size} exceeds the signal length {length}")
    seen: dict[int, int] = {}
    for a in range(size):
        at = stride * a % length
        if at in seen:
            raise ShapeError(
                f"{which} filter: taps {seen[at]} and {a} with stride {stride} both read offset {at} "
                f"(mod the length {length}); two weights on one input are not a convolution filter"
            )
        seen[at] = a


def conv_relu_block(
    channels: Sequence[int], length: int, filters: Sequence[int], strides: Sequence[int] = (1, 1)
) -> Architecture:
    """The 2-layer circular convolutional ReLU block with channels (C, J, K)."""
    if len(channels) != 3:
        raise ShapeError(f"channels needs three numbers C J K (input, hidden, output), got {list(channels)}")
    if len(filters) != 2 or len(strides) != 2:
        raise ShapeError("filters and strides need two numbers each (first and second layer)")
    C, J, K = (positive_int(c, name) for c, name in zip(channels, ("input channels", "hidden channels", "output channels")))
    N = positive_int(length, "signal length")
    k1, k2 = (positive_int(k, f"filter size {i + 1}") for i, k in enumerate(filters))
    s1, s2 = (positive_int(s, f"stride {i + 1}") for i, s in enumerate(strides))
    _taps(k1, s1, N, "first-layer")
    _taps(k2, s2, N, "second-layer")
    names = [f"U1[{j},{c},{a}]" for j in range(J) for c in range(C) for a in range(k1)]
    names += [f"U2[{k},{j},{b}]" for k in range(K) for j in range(J) for b in range(k2)]
    space = ParameterSpace(names)
    u = lambda j, c, a: space.var(f"U1[{j},{c},{a}]")  # noqa: E731
    v = lambda k, j, b: space.var(f"U2[{k},{j},{b}]")  # noqa: E731
    seen, phi, labels = set(), [], []
    for j in range(J):
        for t in range(N):  # hidden unit (j, t)
            incoming = [(c, a, (t + s1 * a) % N) for c in range(C) for a in range(k1)]
            # outputs (k, t_out) reading h_j[t] through tap b: t_out + s2·b ≡ t
            outgoing = [(k, b, (t - s2 * b) % N) for k in range(K) for b in range(k2)]
            for c, a, t_in in incoming:
                for k, b, t_out in outgoing:
                    key = (j, c, a, k, b)
                    if key not in seen:
                        seen.add(key)
                        phi.append(u(j, c, a) * v(k, j, b))
                        labels.append(f"x{c}[{t_in}] -> h{j}[{t}] -> y{k}[{t_out}]")
    laws, law_labels = [], []
    for j in range(J):
        incoming = sum((u(j, c, a) ** 2 for c in range(C) for a in range(k1)), space.ring.zero)
        outgoing = sum((v(k, j, b) ** 2 for k in range(K) for b in range(k2)), space.ring.zero)
        laws.append(incoming - outgoing)
        law_labels.append(f"hidden channel {j}")
    stride_text = "" if (s1, s2) == (1, 1) else f", strides ({s1}, {s2})"
    desc = (f"two-layer convolutional ReLU block with channels (C, J, K) = ({C}, {J}, {K}), "
            f"signal length {N} and filter sizes ({k1}, {k2}){stride_text}")
    shape = {"channels": [C, J, K], "length": N, "filters": [k1, k2], "strides": [s1, s2]}
    return Architecture("conv", desc, space, phi, labels, laws, law_labels, shape)


def _conv_build(widths: list[int], bias: bool, options: Options) -> Architecture:
    if any(options.get(k) is None for k in ("channels", "length", "filters")):
        raise ShapeError("conv needs --channels C J K, --length N and --filters k1 k2")
    return conv_relu_block(options["channels"], options["length"], options["filters"],
                           options.get("strides") or (1, 1))


def conv_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """D = J C k1 + K J k2; φ has J C k1 K k2 components (missing sizes count as 1)."""
    C, J, K = options.get("channels") or (1, 1, 1)
    k1, k2 = options.get("filters") or (1, 1)
    return J * C * k1 + K * J * k2, J * C * k1 * K * k2


def conv_expected_count(widths: list[int], bias: bool, options: Options) -> ExpectedCount:
    """Theorem 3.6: one law per hidden channel J of the two-layer convolutional ReLU block."""
    return ExpectedCount(options["channels"][1], True, "J, one law per hidden channel (Theorem 3.6)")


SPEC = ArchitectureSpec(
    "conv", "The 2-layer circular convolutional ReLU block with channels (C, J, K).", build=_conv_build,
    sizes=conv_sizes, takes_widths=False, option_specs=(
        OptionSpec("channels", "conv: input, hidden and output channels", 3, ("C", "J", "K")),
        OptionSpec("length", "conv: signal length", 1, ("N",)),
        OptionSpec("filters", "conv: filter sizes", 2, ("K1", "K2")),
        OptionSpec("strides", "conv: zeros between filter taps, per layer (default 1 1)", 2, ("S1", "S2"))),
    expected_count=conv_expected_count, piecewise_linear=True,
    examples=(((), False, (("channels", (1, 2, 1)), ("length", 3), ("filters", (2, 2)))),),
)
