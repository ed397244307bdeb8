"""The candidate one-parameter groups of the symmetry search: linear actions on one axis of one parameter tensor,
and translations of its slices.

For a parameter tensor θ_t and an axis a of length n, write θ_t^{(a)} for its unfolding (n rows: the slices
θ_t[…, i, …]).  The candidates are

* **diagonal** (t, a, i): scale slice i, δθ_t = E_ii ×_a θ_t — its Noether quantity is ½‖θ_t[…, i, …]‖²;
* **pair** (t, a, i, j), i < j: the symmetric mixing δθ_t = (E_ij + E_ji) ×_a θ_t — quantity
  ⟨θ_t[…, i, …], θ_t[…, j, …]⟩;
* **mean** (t, a): the mixing of all the slices of axis a alike, δθ_t = 11ᵀ ×_a θ_t — quantity
  ½‖Σ_i θ_t[…, i, …]‖² (the stream of a transformer whose readers are all LayerNorms: x ↦ (I + s 11ᵀ)x changes
  only the mean of each token, which every LayerNorm removes; its writers carry 11ᵀ, a reader that is not a
  LayerNorm the opposite);
* **shift** (t, a, i): translate slice i by the constant 1, δθ = 1_{slice i} — quantity Σ θ_t[…, i, …];
* **fiber** (t, 0, m), for tensors of 3 or more axes: translate the fibre along axis 0 at the multi-index m of the
  other axes, δθ_t[:, m] = 1 — quantity Σ_k θ_t[k, m] (e.g. a convolution whose output channels all feed
  LayerNorms: any translation constant over the output channels is invisible);
* **entry** (t, −1, k): translate the single entry k (flat index) — quantity θ_t.flat[k]; a candidate only for
  the coordinates that no gradient moves at the first random points (a convolution tap that only ever sees
  padding at these input sizes), where the search then confirms it.

A combination δθ = Mθ + v of candidates with coefficients c is a symmetry of the loss when ⟨∇_θ⟨w, g(θ, x)⟩,
Mθ + v⟩ = 0 for every input x, loss direction w and θ; M is symmetric by construction, so the conserved
quantity is h(θ) = ½θᵀMθ + ⟨v, θ⟩ = Σ_u c_u q_u(θ) with ∇h = Mθ + v (Kunin et al. 2021, §3: rescale, scale and
translation symmetries are special cases; the GL(n) laws of attention, W_Q W_Qᵀ − W_K W_Kᵀ, are symmetric
mixings of two tensors' rows).  Only symmetric M give gradient-flow laws, so only they are candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

DIAGONAL, PAIR, MEAN, SHIFT, FIBER, ENTRY = "diagonal", "pair", "mean", "shift", "fiber", "entry"


@dataclass(frozen=True)
class Candidate:
    """One candidate: its kind, the tensor (by name), the axis and the index (and the second index of a pair)."""

    kind: str
    tensor: str
    axis: int
    i: int
    j: int = -1


def unfold(t: torch.Tensor, axis: int, lead: int = 0) -> torch.Tensor:
    """The tensor with ``axis`` (counted after ``lead`` leading batch axes) moved just after them and the rest
    flattened: shape (*batch, n, rest)."""
    moved = t.movedim(lead + axis, lead)
    return moved.reshape(*moved.shape[:lead + 1], -1)


def diagonal_and_shift(shapes: dict[str, torch.Size]) -> list[Candidate]:
    """Every diagonal, shift and fibre candidate, without a combination that is the zero action: per tensor of
    shape (n_0, …), Σ_a n_a − ndim + 1 diagonals; shifts of the same slices for 1 or 2 axes, else of axis 0's
    slices and the n_1⋯ fibres along axis 0."""
    out = []
    for name, shape in shapes.items():
        for axis, n in enumerate(shape):
            # Σ_i of the slices along any axis is the whole tensor: past the first axis the last index is dropped, so
            # no combination of candidates is the zero action (the span is unchanged)
            kept = range(n) if axis == 0 else range(n - 1)
            out += [Candidate(DIAGONAL, name, axis, i) for i in kept]
            if axis == 0 or len(shape) <= 2:
                out += [Candidate(SHIFT, name, axis, i) for i in kept]
        if len(shape) >= 3:  # the fibres along axis 0 span the shifts of the slices along the other axes
            out += [Candidate(FIBER, name, 0, m) for m in range(int(torch.Size(shape[1:]).numel()))]
    return out


def diagonal_and_shift_count(shapes: dict[str, torch.Size]) -> int:
    """``len(diagonal_and_shift(shapes))`` without building the list (a full-size model has ~10⁵ candidates, and
    the search refuses it on this number)."""
    total = 0
    for shape in shapes.values():
        for axis, n in enumerate(shape):
            kept = n if axis == 0 else n - 1
            total += kept * (2 if axis == 0 or len(shape) <= 2 else 1)
        if len(shape) >= 3:
            total += int(torch.Size(shape[1:]).numel())
    return total


def pairs(active: dict[tuple[str, int], list[int]]) -> list[Candidate]:
    """The mixing candidates between the indices of each axis that carry a diagonal symmetry (``active``)."""
    out = []
    for (name, axis), idx in active.items():
        out += [Candidate(PAIR, name, axis, i, j) for k, i in enumerate(idx) for j in idx[k + 1:]]
    return out


def means(shapes: dict[str, torch.Size], active: dict[tuple[str, int], list[int]]) -> list[Candidate]:
    """One mean-mixing candidate per axis of length ≥ 2 of every tensor, except the axes whose indices are all
    ``active`` (their pairs and diagonals span 11ᵀ already: the mean would be a zero action)."""
    return [Candidate(MEAN, name, axis, 0) for name, shape in shapes.items() for axis, n in enumerate(shape)
            if n > 1 and len(active.get((name, axis), ())) < n]


def _index(cands: list[Candidate]) -> dict[tuple[str, str, int], tuple[list[int], list[int], list[int]]]:
    """Candidates grouped by (kind, tensor, axis): (positions in the list, i's, j's)."""
    groups: dict = {}
    for pos, c in enumerate(cands):
        pos_list, i_list, j_list = groups.setdefault((c.kind, c.tensor, c.axis), ([], [], []))
        pos_list.append(pos)
        i_list.append(c.i)
        j_list.append(c.j)
    return groups


def equations(rows: dict[str, torch.Tensor], theta: dict[str, torch.Tensor], cands: list[Candidate]) -> torch.Tensor:
    """The linear system of the candidates' coefficients: row r is ⟨J_r, δ_u θ⟩ for every candidate u, where J_r
    (``rows[t]``: shape (R, *θ_t.shape)) is a gradient ∇_θ⟨w_r, g(θ, x)⟩ at the point ``theta``.

    diagonal (t, a, i): Σ over slice i of J_r·θ_t; mean (t, a): ⟨Σ_i J_r^{(a)}[i], Σ_i θ_t^{(a)}[i]⟩;
    pair (t, a, i, j): G_ij + G_ji with G = J^{(a)} θ^{(a)ᵀ};
    shift (t, a, i): Σ over slice i of J_r; fibre (t, 0, m): Σ_k J_r[k, m]; entry (t, −1, k): J_r.flat[k].
    Shape (R, len(cands))."""
    some = next(iter(rows.values()))
    out = some.new_zeros((some.shape[0], len(cands)))
    for (kind, name, axis), (pos, i, j) in _index(cands).items():
        J, th = rows[name], theta[name]
        if kind == DIAGONAL:
            vals = unfold(J * th, axis, lead=1).sum(-1)[:, i]
        elif kind == SHIFT:
            vals = unfold(J, axis, lead=1).sum(-1)[:, i]
        elif kind == FIBER:
            vals = unfold(J, 0, lead=1).sum(1)[:, i]
        elif kind == ENTRY:
            vals = J.reshape(J.shape[0], -1)[:, i]
        elif kind == MEAN:
            vals = (unfold(J, axis, lead=1).sum(1) * unfold(th, axis).sum(0)).sum(-1)[:, None].expand(-1, len(pos))
        else:
            G = torch.einsum("rnk,mk->rnm", unfold(J, axis, lead=1), unfold(th, axis))
            vals = G[:, i, j] + G[:, j, i]
        out[:, pos] = vals
    return out


def quantities(theta: dict[str, torch.Tensor], cands: list[Candidate]) -> torch.Tensor:
    """q_u(θ) for every candidate at one point: ½‖slice_i‖² (diagonal), ⟨slice_i, slice_j⟩ (pair), ½‖Σ_i slice_i‖²
    (mean), Σ slice_i
    (shift), Σ_k θ_t[k, m] (fibre), θ_t.flat[k] (entry); differentiable, so that ∇q_u is the candidate's δθ."""
    first = next(iter(theta.values()))
    values, places = [], []
    for (kind, name, axis), (pos, i, j) in _index(cands).items():
        U = unfold(theta[name], max(axis, 0))
        if kind == DIAGONAL:
            values.append(0.5 * U.pow(2).sum(-1)[i])
        elif kind == SHIFT:
            values.append(U.sum(-1)[i])
        elif kind == FIBER:
            values.append(U.sum(0)[i])
        elif kind == ENTRY:
            values.append(theta[name].reshape(-1)[i])
        elif kind == MEAN:
            values.append((0.5 * U.sum(0).pow(2).sum()).reshape(1))
        else:
            values.append((U[i] * U[j]).sum(-1))
        places += pos
    if not values:
        return first.new_zeros(0)
    order = torch.argsort(torch.tensor(places, device=first.device))
    return torch.cat(values)[order]


def entries(zero_columns: dict[str, list[int]]) -> list[Candidate]:
    """Single-entry translations for the coordinates no gradient moved (tensor name → flat indices)."""
    return [Candidate(ENTRY, name, -1, k) for name, idx in zero_columns.items() for k in idx]
