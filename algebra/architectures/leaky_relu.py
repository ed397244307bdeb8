"""Deep leaky-ReLU networks, σ_α(t) = max(t, α t), with the slope α a rational parameter (``--slope p/q``).

Widths (n_0, …, n_q), layers ``U{l}`` and optional hidden biases ``b{l}`` exactly as for :mod:`.relu`.

* α ≠ 1: σ_α is positively homogeneous with two linear pieces, so on each activation region the network is
  linear with a factor 1 or α per hidden unit, and g(θ, x) = f(φ(θ), x) with φ the ReLU path lifting — the same
  polynomial map as ``relu`` (α = 0), hence the same laws: one per hidden neuron, ‖u_j‖² + b_j² − ‖v_j‖² (the
  rescaling symmetry u_j, b_j ↦ λ u_j, λ b_j, v_j ↦ v_j / λ).
* α = 1: σ_1 is the identity, the network is affine, x ↦ U_q ⋯ U_1 x + Σ_l U_q ⋯ U_{l+1} b_l, and φ is that
  matrix and those vectors.  The symmetry grows to GL(n_l) per hidden layer (U_l, b_l ↦ G U_l, G b_l,
  U_{l+1} ↦ U_{l+1} G⁻¹), and the laws are the entries (a ≤ b) of U_l U_lᵀ + b_l b_lᵀ − U_{l+1}ᵀ U_{l+1}: for two
  layers, the linear network's count with the input augmented by the constant 1 (:func:`~.linear.two_layer_count`
  with n + 1 inputs).  The count jumps at α = 1: a formula in the slope breaks at that edge.

The whole architecture is this module (issue 22: an architecture added through the registry alone); the
checker rebuilds its φ on its own (``verification/checker/phi.py``).
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any, Optional, Sequence

from ..errors import ShapeError
from ..parameters import ParameterSpace, matrix_names, vector_names
from ..polynomial_text import PolynomialTextError, parse_rational
from .base import Architecture, check_widths, weight_matrix
from .linear import two_layer_count
from .relu import relu_array_phi, relu_expected_count, relu_layout, relu_network, relu_sizes
from .spec import ArchitectureSpec, ArrayPhi, ExpectedCount, Options, OptionSpec, split_flat


def read_slope(value: Any) -> Fraction:
    """The slope α as an exact rational: an int, a Fraction or a string ``"p/q"`` (never a float)."""
    if isinstance(value, bool) or value is None:
        raise ShapeError(f"leaky-relu needs --slope p/q (a rational), got {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        try:
            return parse_rational(value.strip(), 40)
        except PolynomialTextError as exc:
            raise ShapeError(f"--slope must be a rational p/q: {exc}") from None
    raise ShapeError(f"--slope must be a rational p/q, got {type(value).__name__} {value!r} (floats are not exact)")


def _slope_text(alpha: Fraction) -> str:
    return str(alpha)


def _description(n: list[int], bias: bool, alpha: Fraction) -> str:
    return (f"{len(n) - 1}-layer leaky ReLU network (slope {_slope_text(alpha)}) with widths {tuple(n)}"
            + (" and biases" if bias else ""))


def leaky_relu_describe(widths: list[int], bias: bool, options: Options) -> tuple[str, list[str]]:
    return _description(widths, bias, _slope(options)), []


def _affine_network(n: list[int], bias: bool) -> tuple[ParameterSpace, list, list[str], list, list[str]]:
    """(space, φ, labels, laws, law labels) of the affine network, slope 1."""
    q = len(n) - 1
    names = []
    for l in range(1, q + 1):
        names += matrix_names(f"U{l}", n[l], n[l - 1])
        if bias and l < q:
            names += vector_names(f"b{l}", n[l])
    space = ParameterSpace(names)
    zero = space.ring.zero
    mats = [weight_matrix(space, f"U{l}", n[l], n[l - 1]) for l in range(1, q + 1)]
    biases = {l: [space.var(f"b{l}[{i}]") for i in range(n[l])] for l in range(1, q) if bias}

    def times(m, v):  # matrix × vector
        return [sum((m[i][k] * v[k] for k in range(len(v))), zero) for i in range(len(m))]

    # the product U_q ⋯ U_1, column by column, and each hidden bias carried to the output
    columns = []
    for j in range(n[0]):
        col = [mats[0][i][j] for i in range(n[1])]
        for m in mats[1:]:
            col = times(m, col)
        columns.append(col)
    phi = [columns[j][i] for i in range(n[q]) for j in range(n[0])]
    labels = [f"(U{q}...U1)[{i},{j}]" for i in range(n[q]) for j in range(n[0])]
    for l, b in biases.items():
        carried = b
        for m in mats[l:]:
            carried = times(m, carried)
        phi += carried
        labels += [f"(U{q}...U{l + 1} b{l})[{i}]" for i in range(n[q])]
    laws, law_labels = [], []
    for l in range(1, q):
        a, c = mats[l - 1], mats[l]
        for i in range(n[l]):
            for j in range(i, n[l]):
                law = sum((a[i][k] * a[j][k] for k in range(n[l - 1])), zero)
                if bias:
                    law += biases[l][i] * biases[l][j]
                law -= sum((c[k][i] * c[k][j] for k in range(n[l + 1])), zero)
                laws.append(law)
                law_labels.append(f"(U{l} U{l}^T" + (f" + b{l} b{l}^T" if bias else "") + f" - U{l + 1}^T U{l + 1})[{i},{j}]")
    return space, phi, labels, laws, law_labels


def leaky_relu_network(widths: Sequence[int], bias: bool = False, slope: Any = "1/10") -> Architecture:
    """The q-layer leaky-ReLU network with slope α (a rational), optionally with hidden biases."""
    n = check_widths(widths)
    alpha = read_slope(slope)
    shape = {"widths": n, "bias": bias, "slope": _slope_text(alpha)}
    if alpha != 1:
        return replace(relu_network(n, bias=bias), name="leaky-relu", description=_description(n, bias, alpha),
                       shape=shape)
    space, phi, labels, laws, law_labels = _affine_network(n, bias)
    return Architecture("leaky-relu", _description(n, bias, alpha), space, phi, labels, laws, law_labels, shape)


def _slope(options: Options) -> Fraction:
    return read_slope(options.get("slope") if options.get("slope") is not None else "1/10")


def leaky_relu_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """α ≠ 1: the ReLU path lifting's sizes; α = 1: n_q n_0 (+ n_q per hidden bias layer) components."""
    if _slope(options) != 1:
        return relu_sizes(widths, bias, options)
    D = relu_sizes(widths, bias, options)[0]
    return D, widths[-1] * widths[0] + (widths[-1] * (len(widths) - 2) if bias else 0)


def leaky_relu_array_phi(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """α ≠ 1: the ReLU path lifting; α = 1: U_q ⋯ U_1, then U_q ⋯ U_{l+1} b_l per hidden layer."""
    if _slope(options) != 1:
        return relu_array_phi(widths, bias, options)
    n, shapes = relu_layout(widths, bias)
    q = len(n) - 1

    def phi(theta):
        parts = iter(split_flat(theta, shapes))
        product, carried = None, []
        for l in range(1, q + 1):
            U = next(parts)
            product = U if product is None else U @ product
            carried = [U @ v for v in carried]
            if bias and l < q:
                carried.append(next(parts))
        return [product] + carried

    return phi


def leaky_relu_expected_count(widths: list[int], bias: bool, options: Options) -> Optional[ExpectedCount]:
    """α ≠ 1: φ is the ReLU path lifting, so the ReLU count (one law per hidden neuron); α = 1, two layers: the
    two-layer linear count with n + 1 inputs when biased (φ = V [U b]); deeper affine networks: no formula."""
    if _slope(options) != 1:
        count = relu_expected_count(widths, bias, options)
        return count._replace(argument=f"the ReLU path lifting (slope ≠ 1): {count.argument}")
    if len(widths) != 3:
        return None
    n, r, m = widths
    count = two_layer_count(n + int(bias), r, m)
    return count._replace(argument=f"slope 1, an affine network: the linear count of V [U b] with {n + int(bias)} "
                                   f"inputs: {count.argument}")


SLOPE = OptionSpec("slope", "leaky-relu: the slope α of max(t, α t), a rational p/q (default 1/10; a negative one "
                   "as --slope=-1/2)", 1, ("P/Q",), "rational")

SPEC = ArchitectureSpec(
    "leaky-relu", "The q-layer leaky-ReLU network max(t, α t) with the given widths and slope α (--slope, default 1/10).",
    build=lambda widths, bias, options: leaky_relu_network(widths, bias=bias, slope=_slope(options)),
    sizes=leaky_relu_sizes, takes_bias=True, option_specs=(SLOPE,), array_phi=leaky_relu_array_phi,
    expected_count=leaky_relu_expected_count, describe=leaky_relu_describe, piecewise_linear=True,
    exact_cost=(1.5, 2.0),
    examples=(((2, 3, 2), True, (("slope", "1/10"),)), ((2, 3, 2), True, (("slope", "1"),)),
              ((1, 2, 1), False, (("slope", "-1/2"),)), ((2, 2, 2, 1), True, (("slope", "1"),))),
)
