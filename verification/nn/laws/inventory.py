"""What :func:`~.find.find_laws` returns: a :class:`LawGroup` (one family of laws: its kind, modules, LaTeX, the
parameters it reads and how to evaluate it) and the :class:`LawInventory`; helpers that build law values
(row and column norms, signed sums of squares)."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ...report.prose import text_latex as latex_text
from ..graph import (  # noqa: F401
    AFFINE_NORM_TYPES,
    LEAF_TYPES,
    LINEAR_TYPES,
    NORM_TYPES,
    ModuleTracingError,
    node_shape,
    op_name,
    trace_module,
)
from ..zoo import SelfAttention

KNOWN_TYPES = LINEAR_TYPES + NORM_TYPES + AFFINE_NORM_TYPES + (SelfAttention,)


@dataclass
class LawGroup:
    """m laws of one pattern on one or two modules; ``values`` maps named parameters to an (m,) tensor."""

    kind: str
    modules: tuple[str, ...]
    latex: str
    params: tuple[str, ...]
    values: Callable[[dict[str, torch.Tensor]], torch.Tensor]
    count: int
    requires: str = ""
    norm: str = ""  # scale laws: the batch norm that makes them hold (its eps breaks them slightly)
    # ‖∇h_i(θ)‖ in closed form, where the laws are signed sums of squares (or sums) on disjoint supports
    gradient_norms: Callable[[dict[str, torch.Tensor]], torch.Tensor] | None = None


@dataclass
class LawInventory:
    groups: list[LawGroup] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # patterns found but not claimed, with the reason
    without_laws: list[str] = field(default_factory=list)  # known layer types around which no pattern matched
    traced_by: str = ""  # "torch.fx" or "torch.export" ("" when the groups were declared by hand)
    refuted: list[str] = field(default_factory=list)  # groups a pattern gave that the example inputs refuted
    notes: list[str] = field(default_factory=list)  # how the graph was read, near misses
    search: dict = field(default_factory=dict)  # the symmetry search's evidence ({} when it did not run)

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)


def law_gradients(groups: list[LawGroup], model: nn.Module, names: list[str], theta: torch.Tensor) -> torch.Tensor:
    """The gradients at θ (flat, over the trainable parameters ``names`` in order) of every law of ``groups``, as
    rows (F × D); the model's other parameters are constants."""
    if not groups:
        return theta.new_zeros((0, theta.shape[0]))
    shapes = {n: p.shape for n, p in model.named_parameters()}
    sizes = [shapes[n].numel() for n in names]
    frozen = {n: p.detach() for n, p in model.named_parameters() if n not in names}

    def laws(flat):
        params = {n: t.reshape(shapes[n]) for n, t in zip(names, torch.split(flat, sizes))}
        params.update(frozen)
        return torch.cat([g.values(params) for g in groups])

    return torch.func.jacrev(laws)(theta)


def _tex(name: str) -> str:
    return r"\mathtt{" + latex_text(name) + "}"


_VALUES_ONLY: ContextVar[bool] = ContextVar("values_only", default=False)


@contextmanager
def values_only():
    """Within it, law values are computed for their values alone — no derivative will be taken — so a row's
    squared norm may come from ``vector_norm`` (one pass, no temporary; its derivative at a zero row is NaN, hence
    never used where derivatives are: check_laws, counts).  The monitor evaluates its laws this way."""
    token = _VALUES_ONLY.set(True)
    try:
        yield
    finally:
        _VALUES_ONLY.reset(token)


def _rows(w: torch.Tensor) -> torch.Tensor:
    """Per output unit, the squared norm of its incoming weights: (out,)."""
    flat = w.reshape(w.shape[0], -1)
    if _VALUES_ONLY.get():
        return torch.linalg.vector_norm(flat, dim=1).square()
    return flat.pow(2).sum(1)


def _cols(w: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """Per input unit, the squared norm of its outgoing weights: (in,).

    For a grouped convolution (``groups`` = G, weight of shape (out, in/G, *k)) input
    channel j = g·(in/G) + i feeds only the outputs of group g, through ``w[g·out/G:(g+1)·out/G, i]``.
    The squares are summed over the taps by ``einsum`` (no temporary of w's size), then over the outputs.
    """
    out, per_group = w.shape[0], w.shape[1]
    taps = w.reshape(groups, out // groups, per_group, -1)
    return torch.einsum("gopx,gopx->gop", taps, taps).sum(1).reshape(groups * per_group)


def _signed_squares(kind: str, modules: tuple[str, ...], latex: str, params: tuple[str, ...], incoming: Callable,
                    outgoing: Callable, count: int) -> LawGroup:
    """Laws h_j = incoming_j − outgoing_j, each a signed sum of squares over its own entries (disjoint supports),
    so that ‖∇h_j‖² = 4 (incoming_j + outgoing_j): the gradient norms come in closed form."""
    return LawGroup(kind, modules, latex, params, lambda p: incoming(p) - outgoing(p), count,
                    gradient_norms=lambda p: 2 * (incoming(p) + outgoing(p)).sqrt())


def _named(model: nn.Module, name: str, types: tuple, what: str) -> nn.Module:
    """The submodule ``name`` of ``model``, refused in one line unless it is one of ``types``."""
    m = dict(model.named_modules()).get(name)
    if m is None:
        raise ConslawError(f"no module named {name!r} in {type(model).__name__}")
    if not isinstance(m, types):
        raise ConslawError(f"{name!r} is not {what} of {type(model).__name__}")
    return m


def _bias_sums(a: str, b: str | None, n: int) -> LawGroup:
    """Σ_j a_j − Σ_j b_j (or Σ_j a_j alone): biases whose uniform shift c·1 only LayerNorms see, cancelled by b."""
    if b is None:
        return LawGroup("bias_sum", (a.rsplit(".", 1)[0],), rf"\sum_j {_tex(a)}_{{j}}", (a,),
                        lambda p: p[a].sum()[None], 1,
                        gradient_norms=lambda p: torch.full((1,), float(n) ** 0.5, dtype=p[a].dtype, device=p[a].device))
    return LawGroup("bias_difference", (a.rsplit(".", 1)[0], b.rsplit(".", 1)[0]),
                    rf"\sum_j {_tex(a)}_{{j}} - \sum_j {_tex(b)}_{{j}}", (a, b), lambda p: (p[a].sum() - p[b].sum())[None], 1,
                    gradient_norms=lambda p: torch.full((1,), (2.0 * n) ** 0.5, dtype=p[a].dtype, device=p[a].device))


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-9 if dtype == torch.float64 else 1e-4


def law_dots_and_norms(group: LawGroup, tensors: list[torch.Tensor], direction: list[torch.Tensor],
                       chunk_bytes: int = 2**26) -> tuple[torch.Tensor, torch.Tensor]:
    """(⟨∇h_i, v⟩, ‖∇h_i‖) for every law h_i of the group: one jvp along v gives all the dots; the norms
    come in closed form where the group has them (signed sums of squares on disjoint supports), else from
    vjps batched with ``vmap`` in chunks of at most ``chunk_bytes`` of gradients."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, dots = torch.func.jvp(values, tuple(tensors), tuple(direction))
    if group.gradient_norms is not None:
        return dots, group.gradient_norms(dict(zip(group.params, tensors)))
    _, pullback = torch.func.vjp(values, *tensors)
    numel = sum(t.numel() for t in tensors)
    chunk = max(1, min(group.count, chunk_bytes // (h.element_size() * max(numel, 1))))
    basis = torch.eye(group.count, dtype=h.dtype, device=h.device)
    grads = torch.func.vmap(pullback, chunk_size=chunk)(basis)
    norms = torch.sqrt(sum(gr.reshape(group.count, -1).pow(2).sum(1) for gr in grads))
    return dots, norms


@dataclass
class MatchContext:
    """What a node pattern sees besides its node: the model's modules by name, the inventory being filled, and the
    state patterns share across nodes (writers already scaled with another in one rescale group — a residual
    stream —, pairs of biases already tied by a translation law)."""

    mods: dict
    inventory: LawInventory
    writing: set = field(default_factory=set)
    shifts: set = field(default_factory=set)
