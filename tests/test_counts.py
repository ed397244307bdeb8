"""Law counts against the papers' formulas (expected values computed here, never typed in).

* Two-layer linear x ↦ V Uᵀ x, U ∈ R^{n×r}, V ∈ R^{m×r}: r(r+1)/2 laws when
  [U; V] has full rank r, i.e. generically when r ≤ n + m (Prop. 3.5).
  Beyond that edge (r > n + m) the independent argument: the laws are the
  functions of Z ↦ Zᵀ J Z (Z = [U; V], J = diag(I_n, −I_m)); its image is
  the symmetric matrices of rank ≤ k = n + m, of dimension r k − k(k−1)/2.
* Two-layer ReLU (with or without biases): one law per hidden neuron, r.
* Deep nets: the rank of the gradients of the literature's laws (a separate
  code path); for scalar input and output of a linear net, φ has a single
  component, Lie(V) = span{∇φ} and there are D − 1 laws.
"""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conslaw.algebra import gradient_rank, lie_trace, linear_network, relu_network


def two_layer_linear_laws(n: int, r: int, m: int) -> int:
    if r <= n + m:
        return r * (r + 1) // 2  # Prop. 3.5
    k = n + m
    return r * k - k * (k - 1) // 2


GRID = list(itertools.product(range(1, 4), range(1, 5), range(1, 4)))


@pytest.mark.parametrize("n,r,m", GRID)
def test_two_layer_linear(n, r, m):
    a = linear_network([n, r, m])
    res = lie_trace(a.generators(), seed=n * 100 + r * 10 + m)
    assert res.laws == two_layer_linear_laws(n, r, m)
    assert res.ranks[0] == res.ranks[1]


@pytest.mark.parametrize("n,r,m", GRID)
@pytest.mark.parametrize("bias", [False, True])
def test_two_layer_relu(n, r, m, bias):
    a = relu_network([n, r, m], bias=bias)
    res = lie_trace(a.generators(), seed=7)
    assert res.laws == r


def test_edge_beyond_full_rank_is_exercised():
    assert any(r > n + m for n, r, m in GRID)


DEEP = [w for w in itertools.product(range(1, 4), repeat=4) if sum(w) <= 8]


@pytest.mark.parametrize("widths", DEEP)
def test_deep_linear(widths):
    a = linear_network(list(widths))
    res = lie_trace(a.generators(), seed=3)
    if widths[0] == widths[-1] == 1:
        expected = a.dim - 1  # one generator: Lie(V) = span{∇φ}
    else:
        expected = gradient_rank(a.space, a.known_laws, res.points[0])
    assert res.laws == expected


@pytest.mark.parametrize("widths", DEEP)
@pytest.mark.parametrize("bias", [False, True])
def test_deep_relu_one_law_per_hidden_neuron(widths, bias):
    a = relu_network(list(widths), bias=bias)
    res = lie_trace(a.generators(), seed=5)
    assert gradient_rank(a.space, a.known_laws, res.points[0]) == sum(widths[1:-1])
    assert res.laws == sum(widths[1:-1])


@given(
    st.integers(1, 3), st.integers(1, 4), st.integers(1, 3),
    st.integers(0, 10**6), st.integers(1, 3),
)
def test_count_does_not_depend_on_seed_or_number_of_points(n, r, m, seed, n_points):
    a = linear_network([n, r, m])
    res = lie_trace(a.generators(), seed=seed, n_points=n_points)
    assert len(res.ranks) == n_points
    assert res.laws == two_layer_linear_laws(n, r, m)


@given(st.lists(st.integers(1, 3), min_size=3, max_size=4), st.booleans(), st.integers(0, 10**6))
def test_trace_rank_never_exceeds_what_the_known_laws_allow(widths, bias, seed):
    """Known laws are laws, so rank ≤ D − (number of independent known laws), at every point."""
    a = relu_network(widths, bias=bias)
    res = lie_trace(a.generators(), seed=seed)
    for pt, rank in zip(res.points, res.ranks):
        assert rank <= a.dim - gradient_rank(a.space, a.known_laws, pt)


@pytest.mark.slow
@pytest.mark.parametrize("width", [6, 8, 10])
def test_large_two_layer_relu(width):
    a = relu_network([width, width, width])
    assert lie_trace(a.generators(), seed=0).laws == width


def test_a_trace_that_needs_brackets_of_depth_four():
    """Linear [2, 5, 5, 2]: the generators and their brackets of depths 1 and 2 do not span the trace; levels 3 and
    4 add directions.  The count D − r = 45 − 15 = 30 is the two hidden layers' Gram laws, r(r+1)/2 each
    (U_l U_lᵀ − U_{l+1}ᵀ U_{l+1}, symmetric 5 × 5), from the independent argument of Prop. 3.5 layer by layer."""
    from conslaw.algebra import build_architecture, lie_trace

    arch = build_architecture("linear", [2, 5, 5, 2])
    result = lie_trace(arch.generators(), seed=0, n_points=1)
    levels = {lv["level"]: lv["new"] for lv in result.to_dict()["levels"]}
    assert levels[3] > 0 and levels[4] > 0
    assert arch.dim - result.rank == 2 * (5 * 6 // 2)
