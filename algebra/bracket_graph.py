"""The bracket graph: which brackets of which fields were formed, and what they gave.

A ``networkx.DiGraph`` whose nodes are vector fields.  Generators are level-0
nodes; a bracket node has an edge from each of its two parents (attribute
``side`` = ``"left"``/``"right"``) and records its level.  Deduplication
(docs/THEORY.md §2): a bracket that is zero, or equal up to a nonzero scalar to a
node already present, adds no node (the producing pair is recorded as
``duplicate`` edges to the existing node).  Node attribute ``status`` is

* ``"new"``: its values at the working points were independent of everything
  kept before it: it adds a direction and is bracketed further;
* ``"redundant"``: its values lie in the span of the kept nodes: it is not
  expanded further.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, Optional

import networkx as nx

from .fields import PolynomialVectorField


class BracketGraph:
    """Bracket graph with deduplication up to scalars; plain data in, plain data out."""

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self._by_key: dict[tuple, int] = {}
        self.stats: dict[str, int] = {"zero": 0, "duplicate": 0}

    # ------------------------------------------------------------ building
    def find(self, field: PolynomialVectorField) -> Optional[int]:
        """The node holding ``field`` up to a nonzero scalar, if any."""
        return self._by_key.get(field.canonical_key)

    def add_generator(self, field: PolynomialVectorField, label: str, index: Optional[int] = None) -> Optional[int]:
        """Add a generator (its position ``index`` in the input list) as a level-0 node; ``None`` if zero or a duplicate."""
        node = self._add(field, label, level=0, parents=None, status="new")
        if node is not None and index is not None:
            self.graph.nodes[node]["generator"] = index
        return node

    def add_bracket(self, left: int, right: int, field: PolynomialVectorField, level: int, status: str) -> Optional[int]:
        """Add ``field = [left, right]``; ``None`` (and duplicate edges) if zero or already present."""
        label = f"[{self.graph.nodes[left]['label']}, {self.graph.nodes[right]['label']}]"
        return self._add(field, label, level=level, parents=(left, right), status=status)

    def _add(self, field, label, level, parents, status) -> Optional[int]:
        if field.is_zero():
            self.stats["zero"] += 1
            return None
        existing = self.find(field)
        if existing is not None:
            self.stats["duplicate"] += 1
            if parents is not None:
                for side, par in zip(("left", "right"), parents):
                    if not self.graph.has_edge(par, existing):
                        self.graph.add_edge(par, existing, side=side, duplicate=True)
            return None
        node = self.graph.number_of_nodes()
        self.graph.add_node(node, field=field, label=label, level=level, status=status)
        self._by_key[field.canonical_key] = node
        if parents is not None:
            for side, par in zip(("left", "right"), parents):
                self.graph.add_edge(par, node, side=side, duplicate=False)
        return node

    def mark(self, node: int, status: str) -> None:
        self.graph.nodes[node]["status"] = status

    # ------------------------------------------------------------- queries
    def field(self, node: int) -> PolynomialVectorField:
        return self.graph.nodes[node]["field"]

    def nodes(self, level: Optional[int] = None, status: Optional[str] = None) -> list[int]:
        """Nodes, optionally filtered by level and status, in insertion order."""
        return [
            n
            for n, d in self.graph.nodes(data=True)
            if (level is None or d["level"] == level) and (status is None or d["status"] == status)
        ]

    def parents(self, node: int) -> tuple[int, int] | None:
        """The pair that produced a bracket node (``None`` for generators)."""
        sides = {d["side"]: u for u, _, d in self.graph.in_edges(node, data=True) if not d["duplicate"]}
        return (sides["left"], sides["right"]) if sides else None

    def tree(self, node: int):
        """How a node is built from the generators: an input index, or ``[left, right]`` nested."""
        par = self.parents(node)
        if par is None:
            return self.graph.nodes[node].get("generator", node)
        return [self.tree(par[0]), self.tree(par[1])]

    def new_directions(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Nodes that added a direction to the trace, with their attributes."""
        return ((n, d) for n, d in self.graph.nodes(data=True) if d["status"] == "new")

    def summary(self) -> dict[str, Any]:
        levels = sorted({d["level"] for _, d in self.graph.nodes(data=True)})
        return {
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "new": sum(1 for _ in self.new_directions()),
            "by_level": {
                lv: {
                    "new": len(self.nodes(lv, "new")),
                    "redundant": len(self.nodes(lv, "redundant")),
                }
                for lv in levels
            },
            **self.stats,
        }

    # -------------------------------------------------------------- export
    def to_plain(self) -> nx.DiGraph:
        """A copy whose attributes are strings and numbers only (fields as text and LaTeX)."""
        g = nx.DiGraph()
        for n, d in self.graph.nodes(data=True):
            f: PolynomialVectorField = d["field"]
            g.add_node(n, label=d["label"], level=d["level"], status=d["status"], field=str(f), latex=f.latex())
            if "generator" in d:
                g.nodes[n]["generator"] = d["generator"]
        for u, v, d in self.graph.edges(data=True):
            g.add_edge(u, v, side=d["side"], duplicate=d["duplicate"])
        return g

    def to_json(self) -> str:
        """Node-link JSON (``networkx.node_link_data``)."""
        return json.dumps(nx.node_link_data(self.to_plain(), edges="edges"), indent=1)

    def write_graphml(self, path: str) -> None:
        nx.write_graphml(self.to_plain(), path)

    def write(self, path: str) -> None:
        """Export by extension: ``.graphml`` or ``.json``."""
        if path.endswith(".graphml"):
            self.write_graphml(path)
        else:
            with open(path, "w") as fh:
                fh.write(self.to_json())
