"""The bracket graph: levels, parents, deduplication, redundancy, export."""
from __future__ import annotations

import json

import networkx as nx
import pytest

from conslaw.algebra import ParameterSpace, PolynomialVectorField, ShapeError, lie_trace, linear_network, relu_network

S = ParameterSpace(["x", "y", "z"])
x, y, z = S.symbols
A = PolynomialVectorField(S, [1, 0, 0])  # ∂x
B = PolynomialVectorField(S, [0, x, 0])  # x ∂y
C = PolynomialVectorField(S, [0, 3, 0])  # 3 ∂y  = 3 [A, B]


def test_duplicate_and_zero_brackets_add_no_node():
    assert A.bracket(B) == PolynomialVectorField(S, [0, 1, 0])
    res = lie_trace([A, B, C], seed=1, record="all")
    g = res.graph
    assert g.graph.number_of_nodes() == 3  # [A,B] ~ C, [A,C] = 0, [B,C] = 0
    assert g.stats["duplicate"] == 1
    assert g.stats["zero"] == 2
    # the duplicate is recorded as edges from its pair to the existing node
    dup_edges = [(u, v) for u, v, d in g.graph.edges(data=True) if d["duplicate"]]
    assert sorted(dup_edges) == [(0, 2), (1, 2)]
    assert res.rank == 2 and res.laws == 1  # only z is conserved


def test_duplicate_generators_add_no_node():
    res = lie_trace([A, A.scale(-2), B], seed=0)
    assert res.graph.nodes(level=0) == [0, 1]
    assert res.graph.field(1) == B
    assert res.graph.stats["duplicate"] == 1


def test_new_bracket_nodes_record_parents_and_level():
    res = lie_trace([A, B], seed=0)
    g = res.graph
    new = [n for n, d in g.new_directions() if d["level"] == 1]
    assert len(new) == 1
    assert g.parents(new[0]) == (0, 1)
    assert g.graph.nodes[new[0]]["label"] == "[X0, X1]"
    assert g.field(new[0]) == PolynomialVectorField(S, [0, 1, 0])
    assert res.laws == 1


def test_redundant_nodes_are_not_expanded():
    a = relu_network([3, 2, 3])
    res = lie_trace(a.generators(), seed=0, record="all")
    g = res.graph
    redundant = set(g.nodes(status="redundant"))
    assert redundant, "this instance has brackets in the span of the kept ones"
    for n in g.graph.nodes:
        par = g.parents(n)
        if par:
            assert not redundant & set(par)
    # both record modes give the same count and the same new directions
    fast = lie_trace(a.generators(), seed=0, record="kept")
    assert fast.laws == res.laws == 2
    assert [d["label"] for _, d in fast.graph.new_directions()] == [d["label"] for _, d in g.new_directions()]


def test_no_node_is_equal_up_to_scalar_to_another():
    res = lie_trace(linear_network([2, 2, 2]).generators(), seed=4, record="all")
    keys = [res.graph.field(n).canonical_key for n in res.graph.graph.nodes]
    assert len(keys) == len(set(keys))


def test_export_json_and_graphml(tmp_path):
    res = lie_trace(linear_network([2, 2, 2]).generators(), seed=0)
    data = json.loads(res.graph.to_json())
    assert len(data["nodes"]) == res.graph.graph.number_of_nodes()
    assert {"label", "level", "status", "field", "latex"} <= set(data["nodes"][0])
    path = tmp_path / "g.graphml"
    res.graph.write(str(path))
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == res.graph.graph.number_of_nodes()
    assert back.number_of_edges() == res.graph.graph.number_of_edges()


def test_same_seed_same_answer():
    gens = linear_network([2, 3, 2]).generators()
    one, two = lie_trace(gens, seed=11), lie_trace(gens, seed=11)
    d1, d2 = one.to_dict(), two.to_dict()
    for d in (d1, d2):
        d.pop("seconds")
        for lv in d["levels"]:
            lv.pop("seconds")
    assert d1 == d2
    assert lie_trace(gens, seed=12).points != one.points


def test_max_level_is_reported():
    res = lie_trace(linear_network([2, 3, 3, 2]).generators(), seed=0, max_level=1)
    assert res.status == "max_level"
    assert any("lower bound" in n for n in res.notes)


def test_bad_trace_input():
    with pytest.raises(ShapeError, match="no generators"):
        lie_trace([])
    with pytest.raises(ShapeError, match="record"):
        lie_trace([A], record="everything")
    with pytest.raises(ShapeError, match="3 coordinates"):
        lie_trace([A], points=[[1, 2]])
    other = PolynomialVectorField(ParameterSpace(["p", "q", "r"]), [1, 0, 0])
    with pytest.raises(ShapeError, match="same parameter space"):
        lie_trace([A, other])
