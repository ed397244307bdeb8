"""Deep ReLU networks through their path lifting (docs/THEORY.md §3).

Widths (n_0, …, n_q); layer l has ``U{l} ∈ R^{n_l × n_{l−1}}`` and, with
``bias=True``, hidden biases ``b{l} ∈ R^{n_l}`` (l < q; the output layer has
no bias: it would be a free parameter adding one direction and no law).
φ(θ) lists, for every path from an input or a hidden bias to an output, the
product of the weights along it (for two layers: (u_j v_j^T, b_j v_j)_j).
Known laws (Marcotte et al. 2023, Prop. 3.5 for two layers): one per hidden
neuron,

    ‖incoming weights‖² + bias² − ‖outgoing weights‖².
"""
from __future__ import annotations

from typing import Sequence

from ..notes import Note, NoteKind
from ..parameters import ParameterSpace, matrix_names, vector_names
from .base import Architecture, check_widths, weight_matrix
from .spec import ArchitectureSpec, ArrayPhi, ExpectedCount, Options, split_flat


def relu_network(widths: Sequence[int], bias: bool = False) -> Architecture:
    """The q-layer ReLU network with the given widths, optionally with hidden biases."""
    n = check_widths(widths)
    q = len(n) - 1
    names = []
    for l in range(1, q + 1):
        names += matrix_names(f"U{l}", n[l], n[l - 1])
        if bias and l < q:
            names += vector_names(f"b{l}", n[l])
    space = ParameterSpace(names)
    one = space.ring.one
    mats = [weight_matrix(space, f"U{l}", n[l], n[l - 1]) for l in range(1, q + 1)]
    # paths[i]: (monomial, label) for each path ending at neuron i of the current layer
    paths = [[(one, f"x{i}")] for i in range(n[0])]
    for l in range(1, q + 1):
        w = mats[l - 1]
        nxt = []
        for i in range(n[l]):
            here = [(w[i][j] * m, f"{lbl}->{l}:{i}") for j in range(n[l - 1]) for m, lbl in paths[j]]
            if bias and l < q:
                here.append((space.var(f"b{l}[{i}]"), f"b{l}[{i}]"))
            nxt.append(here)
        paths = nxt
    phi = [m for here in paths for m, _ in here]
    phi_labels = [f"path {lbl}" for here in paths for _, lbl in here]
    laws, labels = [], []
    for l in range(1, q):
        for i in range(n[l]):
            law = sum((x**2 for x in mats[l - 1][i]), space.ring.zero)
            if bias:
                law += space.var(f"b{l}[{i}]") ** 2
            law -= sum((mats[l][k][i] ** 2 for k in range(n[l + 1])), space.ring.zero)
            laws.append(law)
            labels.append(f"neuron {l}:{i}")
    desc = relu_describe(n, bias, {})[0]
    return Architecture("relu", desc, space, phi, phi_labels, laws, labels, {"widths": n, "bias": bias})


def proportional_pairs(rows: list[list]) -> list[tuple[int, int]]:
    """Pairs (j, k) of rows that are scalar multiples of each other (same hyperplane), exactly."""
    out = []
    for j in range(len(rows)):
        for k in range(j + 1, len(rows)):
            a, b = rows[j], rows[k]
            if all(a[i] * b[m] == a[m] * b[i] for i in range(len(a)) for m in range(i + 1, len(a))):
                out.append((j, k))  # every 2 × 2 minor of [a; b] vanishes: rank ≤ 1
    return out


def coinciding_hyperplanes(arch: Architecture, point) -> list[str]:
    """Hidden neurons of a ReLU network whose hyperplanes {x : ⟨u_j, x⟩ + b_j = 0} coincide at ``point``.

    Theorem 3.4 (W_θ = range ∂φᵀ for ReLU nets) holds where they are pairwise
    distinct; a random rational point is generic, a chosen one may not be.
    """
    n = arch.shape["widths"]
    value = dict(zip(arch.space.names, point))
    notes = []
    for l in range(1, len(n) - 1):
        rows = [[value[f"U{l}[{j},{i}]"] for i in range(n[l - 1])] + ([value[f"b{l}[{j}]"]] if arch.shape.get("bias") else [])
                for j in range(n[l])]
        for j, k in proportional_pairs(rows):
            notes.append(Note(f"neurons {j} and {k} of layer {l} define the same hyperplane at this point: "
                              "Theorem 3.4 needs them pairwise distinct, so the count from phi may exceed the model's "
                              "rank", NoteKind.SHARED_HYPERPLANE))
    return notes


def relu_paths(widths: Sequence[int], bias: bool) -> int:
    """Paths input (or hidden bias) → output of the path lifting: P_l = n_{l−1} P_{l−1} + [bias, l < q]."""
    q, paths = len(widths) - 1, 1
    for l in range(1, q + 1):
        paths = widths[l - 1] * paths + (1 if bias and l < q else 0)
    return widths[-1] * paths


def relu_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """D = Σ n_l n_{l−1} (+ the hidden biases); φ has one component per path (:func:`relu_paths`)."""
    D = sum(a * b for a, b in zip(widths, widths[1:])) + (sum(widths[1:-1]) if bias else 0)
    return D, relu_paths(widths, bias)


def relu_describe(widths: list[int], bias: bool, options: Options) -> tuple[str, list[str]]:
    return f"{len(widths) - 1}-layer ReLU network with widths {tuple(widths)}" + (" and biases" if bias else ""), []


def relu_layout(widths: Sequence[int], bias: bool) -> tuple[list[int], list[tuple[int, ...]]]:
    """(the checked widths, the block shapes of θ = (U_1, b_1, U_2, b_2, …, U_q) row-major) of the array forms."""
    n = check_widths(widths)
    shapes: list[tuple[int, ...]] = []
    for l in range(1, len(n)):
        shapes.append((n[l], n[l - 1]))
        if bias and l < len(n) - 1:
            shapes.append((n[l],))
    return n, shapes


def relu_names(widths: list[int], bias: bool, options: Options) -> list[str]:
    """U1 (row-major), b1, U2, b2, …, U_q: the names in :func:`relu_layout`'s order."""
    n, _ = relu_layout(widths, bias)
    q = len(n) - 1
    return [x for l in range(1, q + 1)
            for x in matrix_names(f"U{l}", n[l], n[l - 1]) + (vector_names(f"b{l}", n[l]) if bias and l < q else [])]


def relu_array_phi(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """The path lifting for arrays; θ = (U_1, b_1, U_2, b_2, …, U_q) row-major.  One block per kind of start (the
    inputs, then each hidden layer's biases), indexed (start, j_1, …, j_q): the builder's components, start-major
    (the builder lists them output-major)."""
    n, shapes = relu_layout(widths, bias)
    q = len(n) - 1

    def phi(theta):
        parts = iter(split_flat(theta, shapes))
        paths: list = []
        for l in range(1, q + 1):
            U = next(parts).T  # (n_{l−1}, n_l): U[j_{l−1}, j_l]
            paths = [p.reshape(tuple(p.shape) + (1,)) * U for p in paths] if paths else [U]
            if bias and l < q:
                paths.append(next(parts))
        return paths

    return phi


def relu_array_laws(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """One law per hidden neuron, ‖incoming weights‖² + bias² − ‖outgoing weights‖², in :func:`relu_array_phi`'s
    layout."""
    n, shapes = relu_layout(widths, bias)
    q = len(n) - 1

    def laws(theta):
        parts = iter(split_flat(theta, shapes))
        mats, biases = [], []
        for l in range(1, q + 1):
            mats.append(next(parts))
            if bias and l < q:
                biases.append(next(parts))
        out = []
        for l in range(q - 1):
            h = (mats[l] ** 2).sum(axis=1) - (mats[l + 1] ** 2).sum(axis=0)
            out.append(h + biases[l] ** 2 if bias else h)
        return out

    return laws


def relu_expected_count(widths: list[int], bias: bool, options: Options) -> ExpectedCount:
    """The 2023 paper's ReLU results (Prop. 3.5 for two layers): one law per hidden neuron of the path lifting, and
    no other — Σ of the hidden widths, with or without biases."""
    hidden = widths[1:-1]
    return ExpectedCount(sum(hidden), True, f"one law per hidden neuron: {' + '.join(map(str, hidden))}")


SPEC = ArchitectureSpec(
    "relu", "The q-layer ReLU network with the given widths, optionally with hidden biases.",
    build=lambda widths, bias, options: relu_network(widths, bias=bias), sizes=relu_sizes, takes_bias=True,
    array_phi=relu_array_phi, array_laws=relu_array_laws, names_of=relu_names,
    expected_count=relu_expected_count, describe=relu_describe, piecewise_linear=True, exact_cost=(1.5, 2.0),
    examples=(((3, 2, 3), True, ()), ((1, 1, 1), False, ()), ((2, 3, 2, 2), True, ())),
)
