"""Deep residual ReLU networks at rational points: block laws (Thm 4.6), straddling pairs (Thm 4.7), Example 4.8."""
from __future__ import annotations

import io
import json

import pytest

from conslaw.algebra import ShapeError, lie_trace, violations, working_points
from conslaw.algebra.deep import piecewise_generators, residual_mlp, restrict_to_subset, saturated_generators
from conslaw.verification.cli import run
from conslaw.verification.proofs.resnet import count_resnet


def subset_rank(fields, net, point, names):
    _, sub = restrict_to_subset(fields, names)
    return lie_trace(sub, points=[[point[net.space.index(n)] for n in names]]).rank


def subset_laws(net, pg, point, names):
    return len(names) - subset_rank(pg.fields, net, point, names)


def saturated_laws(net, point, names, seed):
    pg, rank = saturated_generators(net, point, lambda f: subset_rank(f, net, point, names), seed=seed)
    return pg, len(names) - rank


def constant_neurons(net, pg):
    return [(l, j) for l in range(1, net.blocks + 1) for j in range(net.hidden[l - 1])
            if len({p[l - 1][j] for p in pg.patterns}) == 1]


@pytest.mark.parametrize("dim,hidden,bias", [(2, (3, 3), False), (2, (2, 3), True), (3, (2, 2), True)])
def test_block_laws_are_the_laws_of_the_block_alone(dim, hidden, bias):
    """Theorem 4.6: laws of the deep net that depend only on block l are the r_l laws of the block alone."""
    net = residual_mlp(dim, hidden, bias)
    checked = 0
    for seed in range(1, 6):
        point = working_points(net.space.dim, seed, 1)[0]
        pg = piecewise_generators(net, point, 2 * net.space.dim, seed=seed)
        for l in range(1, net.blocks + 1):
            assert violations(net.block_laws(l), pg.fields) == []
        if constant_neurons(net, pg):
            continue  # a neuron dead (or linear) on every input: extra local laws, like Example 4.8
        checked += 1
        for l in range(1, net.blocks + 1):
            assert saturated_laws(net, point, net.block_names(l), seed)[1] == hidden[l - 1]
        assert saturated_laws(net, point, net.straddle_names(1), seed)[1] == 0  # Theorem 4.7
    assert checked >= 2


def test_dead_neuron_gives_more_local_laws():
    """At seed 0 a neuron of block 2 is inactive for every input: all its 5 parameters are locally conserved."""
    net = residual_mlp(2, (3, 3), True)
    point = working_points(net.space.dim, 0, 1)[0]
    pg = piecewise_generators(net, point, 60, seed=1)
    assert (2, 0) in constant_neurons(net, pg)
    assert subset_laws(net, pg, point, net.block_names(2)) == 3 - 1 + 5


@pytest.mark.parametrize("u1,v1,u2,v2,expected", [
    (1, 1, 1, 1, 3),      # u1 > 0, u2 > 0, 1 + u1 v1 > 0: one field spans W_θ, D − 1 = 3 laws
    (2, 3, 5, -1, 3),
    (1, 1, -1, 1, 2),     # block 2 active on the other half-line: two fields, the two block laws
    (-1, 2, 1, 3, 2),
])
def test_example_4_8(u1, v1, u2, v2, expected):
    net = residual_mlp(1, (1, 1))
    point = [u1, v1, u2, v2]
    assert list(net.space.names) == ["U1[0,0]", "V1[0,0]", "U2[0,0]", "V2[0,0]"]
    pg = piecewise_generators(net, point, 40, seed=0)
    assert net.space.dim - lie_trace(pg.fields, points=[point]).rank == expected
    for l in (1, 2):  # the two block laws u_l² − v_l² hold everywhere
        assert subset_laws(net, pg, point, net.block_names(l)) == 1


def test_report_and_cli():
    report = count_resnet(2, [3, 3], subset="straddle:1", seed=1)
    assert report["laws"] == 0 and report["method"] == "regions" and report["activation_patterns"] >= 2
    assert report["verdict"]["status"] == "proven" and len(report["regions"]) == report["activation_patterns"]
    sampled = count_resnet(2, [3, 3], subset="straddle:1", seed=1, n_inputs=50)
    assert sampled["method"] == "sampled" and sampled["verdict"]["status"] == "bounded"
    assert "nothing proven" in sampled["verdict"]["text"] or "none is proven" in sampled["verdict"]["text"]
    out = io.StringIO()
    assert run(["count", "resnet", "--dim", "2", "--hidden", "3", "3", "--subset", "block:2", "--seed", "1", "--json"],
               out=out) == 0
    assert json.loads(out.getvalue())["laws"] == 3


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(dim=0, hidden=[2]), "dimension"), (dict(dim=2, hidden=[]), "at least one block"),
    (dict(dim=2, hidden=[2, 0]), "hidden widths"),
])
def test_bad_networks(kwargs, fragment):
    with pytest.raises(ShapeError, match=fragment):
        residual_mlp(**kwargs)
    with pytest.raises(ShapeError, match="subset"):
        count_resnet(2, [2, 2], subset="layer:1")
    with pytest.raises(ShapeError, match="block 3 does not exist"):
        residual_mlp(2, [2, 2]).block_names(3)


def test_softmax_head_block_laws():
    """Theorem 4.6 with a last softmax layer: its block laws are the d column sums (Prop. 3.11)."""
    net = residual_mlp(2, (2, 2), classes=3)
    checked = 0
    for seed in (1, 4, 6):
        point = working_points(net.space.dim, seed, 1)[0]
        pg = piecewise_generators(net, point, 2 * net.space.dim, seed=seed)
        assert violations(net.head_laws() + net.block_laws(1) + net.block_laws(2), pg.fields) == []
        if constant_neurons(net, pg):
            continue
        checked += 1
        assert saturated_laws(net, point, net.head_names(), seed)[1] == net.dim
        assert saturated_laws(net, point, net.block_names(1), seed)[1] == 2
    assert checked >= 2
    with pytest.raises(ShapeError, match="at least 2 classes"):
        residual_mlp(2, (2,), classes=1)


@pytest.mark.parametrize("kinds", [("conv", "conv"), ("conv", "dense")])
def test_convolutional_blocks_in_a_residual_network(kinds):
    """Theorem 4.6 for convolutional blocks: the block laws are one per hidden channel; Theorem 4.7 between blocks."""
    net = residual_mlp(4, (2, 2), bias=True, kinds=kinds, conv=(2, 2, 2, 1))
    point = working_points(net.space.dim, 3, 1)[0]
    pg = piecewise_generators(net, point, net.space.dim, seed=3)
    assert violations(net.block_laws(1) + net.block_laws(2), pg.fields) == []
    assert saturated_laws(net, point, net.block_names(1), 3)[1] == 2
    assert saturated_laws(net, point, net.straddle_names(1), 3)[1] == 0


def test_conv_block_shapes_are_checked():
    with pytest.raises(ShapeError, match="dim = C·N"):
        residual_mlp(5, (2,), kinds=["conv"], conv=(2, 2, 1, 1))
    with pytest.raises(ShapeError, match="signal shape"):
        residual_mlp(4, (2,), kinds=["conv"])
    with pytest.raises(ShapeError, match="unknown block kind"):
        residual_mlp(4, (2,), kinds=["attention"])


def test_laws_of_a_block_in_a_deep_network_cli():
    out = io.StringIO()
    args = ["laws", "resnet", "--dim", "2", "--hidden", "3", "3", "--bias", "--subset", "block:1", "--seed", "1"]
    assert run(args + ["--format", "json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["verdict"] == {"status": "proven", "laws": 3, "text": data["verdict"]["text"]}
    assert len(data["laws_found"]) == 3 and data["patterns"]
    out = io.StringIO()
    assert run(args + ["--format", "latex"], out=out) == 0
    assert r"\|U^{(1)}_{j,:}\|^2 + (b^{(1)}_{j})^2 - \|V^{(1)}_{:,j}\|^2" in out.getvalue()
    out = io.StringIO()
    assert run(["laws", "resnet", "--dim", "1", "--hidden", "1", "1"], out=out) == 0
    assert "count bounded between 2 and 3" in out.getvalue()  # Example 4.8: the third law is not of degree ≤ 2
