"""The public strategies draw what they promise: admissible sizes, generic and degenerate points, batches, fields."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sympy import QQ

from conslaw.algebra.exact_rank import exact_rank
from conslaw.verification.catalogue.theorems import Instance
from conslaw.verification.testing import strategies as cst


@given(cst.architectures())
def test_admissible_architectures_satisfy_the_papers_hypotheses(inst):
    arch = inst.build()
    assert arch.dim == cst.instance_dim(inst) <= 24
    if inst.arch == "linear":
        n, r, m = inst.widths
        assert r <= n + m  # Prop. 3.5
    if inst.arch == "attention":
        o = dict(inst.options)
        assert o["d"] >= 2 and o["dk"] <= o["d"] and o["dv"] <= o["d"]  # Cor. 3.9
        assert not arch.model_gaps or o.get("heads", 1) > 1  # one head: φ's count is the model's
    if inst.arch == "softmax":
        assert inst.widths[1] >= 2


@given(st.data())
def test_every_kind_is_drawn_alone(data):
    for kind in cst.KINDS:
        for admissible in (True, False):
            inst = data.draw(cst.architectures(kinds=(kind,), admissible=admissible, max_dim=16))
            assert inst.build().dim <= 16


def test_bad_requests_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown architecture kind 'mlp'"):
        cst.architectures(kinds=("mlp",))
    with pytest.raises(ValueError, match="leaves no 'multihead' architecture"):
        cst.architectures(kinds=("multihead",), max_dim=8)
    with pytest.raises(ValueError, match="no architecture kinds"):
        cst.architectures(kinds=())
    with pytest.raises(ValueError, match="no architecture kind fits max_dim = 1"):
        cst.architectures(max_dim=1)


def _jacobian_rank(arch, point) -> int:
    at = [QQ(c.numerator, c.denominator) for c in point]
    return exact_rank([g.evaluate_qq(at) for g in arch.generators()])


@given(cst.architectures(max_dim=12).flatmap(
    lambda inst: st.tuples(st.just(inst), cst.rational_points(inst), cst.degenerate_points(inst))))
def test_degenerate_points_zero_what_they_name_and_drop_the_rank_of_dphi(drawn):
    inst, generic, degenerate = drawn
    arch = inst.build()
    assert all(c != 0 for c in generic) and len(generic) == arch.dim
    names = arch.space.names
    assert {n for n, c in zip(names, degenerate.point) if c == 0} >= set(degenerate.zeroed)
    assert _jacobian_rank(arch, degenerate.point) <= _jacobian_rank(arch, generic)
    assert repr(degenerate).startswith("DegeneratePoint(") and degenerate.reason in repr(degenerate)


@given(cst.degenerate_points(Instance("relu", (2, 2, 1), bias=True), floats=True))
def test_float_degenerate_points_keep_exact_zeros(degenerate):
    assert all(isinstance(c, float) for c in degenerate.point)
    assert sum(c == 0.0 for c in degenerate.point) >= len(degenerate.zeroed)


@given(cst.data_batches(3, 2, max_size=4))
def test_batches_have_the_asked_shapes(batch):
    assert batch.x.shape[1] == 3 and batch.y.shape[1] == 2 and batch.x.shape[0] == batch.y.shape[0] <= 4


@given(cst.polynomial_fields(max_degree=2, max_terms=3))
def test_fields_respect_their_bounds(X):
    assert X.degree() <= 2 and all(len(c.terms()) <= 3 for c in X.components)


def test_points_print_as_a_reader_writes_them():
    assert repr(cst.RationalPoint([QQ(1, 3), QQ(-2)])) == "[1/3, -2]"
    assert repr(Instance("relu", (1, 2, 1), bias=True)) == "Instance('relu', (1, 2, 1), bias=True)"
