"""Cross-entropy classification layer z ↦ softmax(W z [+ b]) (eq. 20, Proposition 3.11).

W ∈ R^{K×n} (parameters ``W[k,j]``), optional bias ``b[k]``.  Adding the
same vector to every row of W (the same number to every b_k) leaves the
softmax unchanged, so φ = (W[k,:] − W[K−1,:])_{k<K−1} (and b_k − b_{K−1}) is
a reparametrisation; its gradients span the constant space W_θ of matrices
whose columns sum to zero.  Known laws: the column sums Σ_k W_{k,j}
(and Σ_k b_k): n laws (n + 1 with the bias).
"""
from __future__ import annotations

from ..errors import ShapeError
from ..parameters import ParameterSpace, matrix_names, vector_names
from .base import Architecture, positive_int
from .spec import ArchitectureSpec, ExpectedCount, Options


def check_softmax_sizes(n: int, classes: int) -> tuple[int, int]:
    """(n, K), each refused by name unless an integer ≥ 1, and K = 1 refused (its softmax is constant)."""
    n = positive_int(n, "input size n")
    K = positive_int(classes, "number of classes K")
    if K < 2:
        raise ShapeError("a softmax over K = 1 class is constant: nothing is trained and every function of W "
                         "is conserved; use K >= 2")
    return n, K


def softmax_widths(widths) -> tuple[int, int]:
    """(n, K) from the widths as given on the command line (exactly two), checked."""
    if len(widths) != 2:
        raise ShapeError(f"softmax takes two sizes: n (inputs) and K (classes), got {list(widths)}")
    return check_softmax_sizes(widths[0], widths[1])


def softmax_layer(n: int, classes: int, bias: bool = False) -> Architecture:
    """The classification layer with n inputs and K classes."""
    n, K = check_softmax_sizes(n, classes)
    names = matrix_names("W", K, n) + (vector_names("b", K) if bias else [])
    space = ParameterSpace(names)
    W = lambda k, j: space.var(f"W[{k},{j}]")  # noqa: E731
    phi, labels = [], []
    for k in range(K - 1):
        for j in range(n):
            phi.append(W(k, j) - W(K - 1, j))
            labels.append(f"W[{k},{j}] - W[{K - 1},{j}]")
        if bias:
            phi.append(space.var(f"b[{k}]") - space.var(f"b[{K - 1}]"))
            labels.append(f"b[{k}] - b[{K - 1}]")
    laws = [sum((W(k, j) for k in range(K)), space.ring.zero) for j in range(n)]
    law_labels = [f"column sum {j}" for j in range(n)]
    if bias:
        laws.append(sum((space.var(f"b[{k}]") for k in range(K)), space.ring.zero))
        law_labels.append("sum of the biases")
    desc = f"softmax classification layer with {n} inputs and {K} classes" + (" and a bias" if bias else "")
    return Architecture("softmax", desc, space, phi, labels, laws, law_labels, {"widths": [n, K], "bias": bias})


def _softmax_build(widths: list[int], bias: bool, options: Options) -> Architecture:
    return softmax_layer(*softmax_widths(widths), bias=bias)


def softmax_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """D = K n (+ K); φ = the differences to the last row, (K − 1)(n (+ 1)) components."""
    n, K = widths
    return K * n + (K if bias else 0), (K - 1) * (n + (1 if bias else 0))


def softmax_expected_count(widths: list[int], bias: bool, options: Options) -> ExpectedCount:
    """Prop. 3.11: the column sums of W (and the sum of the biases), n (+ 1) laws (K ≥ 2: conslaw refuses K = 1,
    whose softmax is constant)."""
    return ExpectedCount(widths[0] + int(bias), True, "n column sums (+ the bias sum) (Prop. 3.11)")


SPEC = ArchitectureSpec(
    "softmax", "The classification layer with n inputs and K classes.", build=_softmax_build, sizes=softmax_sizes,
    takes_bias=True, expected_count=softmax_expected_count,
    examples=(((3, 4), True, ()), ((2, 2), False, ())),
)
