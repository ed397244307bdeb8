"""The main paper's building blocks: counts against its formulas, edge cases, notes, CLI."""
from __future__ import annotations

import io
import itertools
import json

import pytest
from test_counts import two_layer_linear_laws

from conslaw.algebra import (
    ShapeError,
    attention_layer,
    build_architecture,
    conv_relu_block,
    gradient_rank,
    lie_trace,
    relu_network,
    residual_block,
    softmax_layer,
    violations,
)
from conslaw.verification.cli import run

CONV = [
    (ch, N, (k1, k2), st)
    for ch in [(1, 1, 1), (2, 3, 2), (1, 2, 3), (3, 1, 1)]
    for N in (1, 2, 4)
    for k1, k2 in itertools.product(range(1, N + 1), repeat=2)
    for st in ((1, 1), (2, 1))
    if st[0] * (k1 - 1) < N
]


@pytest.mark.parametrize("channels,N,filters,strides", CONV)
def test_conv_one_law_per_hidden_channel(channels, N, filters, strides):
    """Theorem 3.6: J laws, Σ_c ‖u_{j,c}‖² − Σ_k ‖v_{k,j}‖²."""
    a = conv_relu_block(channels, N, filters, strides)
    res = lie_trace(a.generators(), seed=2)
    assert res.laws == channels[1]
    assert violations(a.known_laws, a.generators()) == []
    assert gradient_rank(a.space, a.known_laws, res.points[0]) == channels[1]


def test_conv_structure_is_circulant():
    """Each hidden channel sees every pair of taps (a, b) once the paths wrap around the circle."""
    a = conv_relu_block([1, 1, 1], 4, [2, 3])
    assert len(a.phi) == 2 * 3
    assert a.dim == 2 + 3


@pytest.mark.parametrize("channels,N,filters,strides", [([1, 2, 1], 5, [3, 1], [3, 1]), ([2, 2, 2], 5, [3, 2], [3, 2])])
def test_wrapping_taps_that_do_not_collide_are_a_filter(channels, N, filters, strides):
    """N = 5, 3 taps, stride 3: the taps read offsets 0, 3, 1 (distinct), a valid circular filter; Theorem 3.6."""
    a = conv_relu_block(channels, N, filters, strides)
    assert lie_trace(a.generators(), seed=1).laws == channels[1]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(channels=[1, 1], length=4, filters=[2, 2]), "three numbers"),
    (dict(channels=[1, 1, 1], length=2, filters=[3, 1]), "exceeds the signal length"),
    (dict(channels=[1, 1, 1], length=4, filters=[3, 1], strides=[2, 1]), "taps 0 and 2 with stride 2 both read offset 0"),
    (dict(channels=[1, 0, 1], length=4, filters=[1, 1]), "hidden channels must be at least 1"),
])
def test_conv_bad_shapes(kwargs, fragment):
    with pytest.raises(ShapeError, match=fragment):
        conv_relu_block(**kwargs)


ATTENTION = [(d, dk, dv, h) for d in (1, 2, 3) for dk in (1, 2, 3) for dv in (1, 3) for h in (1, 2) if d * dk * dv * h <= 18]


@pytest.mark.parametrize("d,dk,dv,heads", ATTENTION)
def test_attention_counts(d, dk, dv, heads):
    """Cor. 3.9: d'(d'+1)/2 + d''(d''+1)/2 per head under full rank (d', d'' ≤ 2d).

    Beyond full rank the Q Kᵀ part is the two-layer linear net x ↦ K Qᵀ x of
    widths (d, d', d), whose count (test_counts) gives the independent answer.
    """
    a = attention_layer(d, dk, dv, heads=heads)
    res = lie_trace(a.generators(), seed=3)
    if dk <= 2 * d and dv <= 2 * d:
        per_head = dk * (dk + 1) // 2 + dv * (dv + 1) // 2
    else:
        per_head = two_layer_linear_laws(d, dk, d) + two_layer_linear_laws(d, dv, d)
    assert res.laws == heads * per_head
    assert violations(a.known_laws, a.generators()) == []


def test_attention_notes_name_the_violated_hypotheses():
    assert attention_layer(3, 2, 2).notes == []
    assert any("N >= 2" in n for n in attention_layer(3, 2, 2, tokens=1).notes)
    assert any("d >= 2" in n for n in attention_layer(1, 1, 1).notes)
    assert any("full rank" in n for n in attention_layer(1, 3, 1).notes)
    assert any("open" in n for n in attention_layer(2, 1, 1, heads=2).notes)


@pytest.mark.parametrize("n,K,bias", [(n, K, b) for n in (1, 2, 3) for K in (2, 3, 4) for b in (False, True)])
def test_softmax_column_sums(n, K, bias):
    """Prop. 3.11: n laws (the column sums), plus Σ_k b_k with a bias."""
    a = softmax_layer(n, K, bias=bias)
    res = lie_trace(a.generators(), seed=4)
    assert res.laws == n + int(bias)
    assert violations(a.known_laws, a.generators()) == []


def test_softmax_single_class_is_refused():
    with pytest.raises(ShapeError, match="K = 1"):
        softmax_layer(3, 1)


@pytest.mark.parametrize("arch", [
    relu_network([3, 2, 3], bias=True), conv_relu_block([2, 2, 2], 3, [2, 2]), attention_layer(2, 1, 2),
])
def test_residual_equals_plain(arch):
    """Prop. 3.2: x + g(θ, x) has the laws of g."""
    res = residual_block(arch)
    assert res.name == f"residual-{arch.name}"
    assert lie_trace(res.generators(), seed=5).laws == lie_trace(arch.generators(), seed=5).laws


def test_residual_needs_matching_sizes():
    with pytest.raises(ShapeError, match="equal input and output"):
        residual_block(relu_network([3, 2, 2]))


def test_registry_refuses_misplaced_options():
    with pytest.raises(ShapeError, match="takes no option length"):
        build_architecture("attention", d=2, dk=1, dv=1, length=3)
    with pytest.raises(ShapeError, match="needs --d"):
        build_architecture("attention", d=2)
    with pytest.raises(ShapeError, match="takes no widths"):
        build_architecture("conv", [2, 2], channels=[1, 1, 1], length=2, filters=[1, 1])
    with pytest.raises(ShapeError, match="two sizes"):
        build_architecture("softmax", [2, 3, 4])


@pytest.mark.parametrize("args, laws", [
    (["conv", "--channels", "2", "3", "2", "--length", "4", "--filters", "2", "2"], 3),
    (["attention", "--d", "3", "--dk", "2", "--dv", "2", "--heads", "2"], 12),
    (["softmax", "3", "4"], 3),
    (["relu", "3", "2", "3", "--residual"], 2),
])
def test_cli_counts(args, laws):
    out = io.StringIO()
    assert run(["count", *args, "--json"], out=out) == 0
    assert json.loads(out.getvalue())["laws"] == laws


def test_cli_reports_notes_and_errors(capsys):
    out = io.StringIO()
    assert run(["count", "attention", "--d", "1", "--dk", "1", "--dv", "1", "--json"], out=out) == 0
    assert any("d >= 2" in n for n in json.loads(out.getvalue())["notes"])
    assert run(["count", "conv", "--channels", "2", "3", "2", "--length", "4"], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("conslaw: error: conv needs") and err.count("\n") == 1


def test_attention_target_speed_instance():
    """Issue #4: d = 4, d' = d'' = 2, H = 2 (timed in benchmarks/, checked for its count here)."""
    res = lie_trace(attention_layer(4, 2, 2, heads=2).generators(), seed=0)
    assert res.laws == 2 * (3 + 3)


def test_coinciding_hyperplanes_are_reported():
    from conslaw.algebra.architectures.relu import coinciding_hyperplanes, proportional_pairs

    assert proportional_pairs([[1, 2, 3], [2, 4, 6], [1, 0, 0]]) == [(0, 1)]
    a = relu_network([2, 2, 1], bias=True)
    point = {n: 1 for n in a.space.names}
    point.update({"U1[1,0]": 3, "U1[1,1]": 3, "b1[1]": 3})  # neuron 1 = 3 × neuron 0
    notes = coinciding_hyperplanes(a, [point[n] for n in a.space.names])
    assert len(notes) == 1 and "same hyperplane" in notes[0]
    generic = [i + 2 for i in range(a.dim)]
    assert coinciding_hyperplanes(a, generic) == []
