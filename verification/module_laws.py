"""Conservation laws of real PyTorch modules: find them by the module graph, check them on batches.

The graph (``torch.fx``) is read for the patterns whose laws the papers give:

* **rescale** (ReLU positive homogeneity; Neural Mechanics, Prop. 3.5, Theorem 3.6): a Linear,
  Conv or BatchNorm A feeding only a ReLU that feeds only a Linear or Conv B — per hidden unit j,
  ‖A_j‖² (+ b_j²) − ‖B_{:,j}‖²;
* **scale** (weights before batch norm; Neural Mechanics): a Linear or Conv feeding only a
  BatchNorm — per output channel c, ‖W_c‖²;
* **attention** (Cor. 3.9–3.10): a :class:`~conslaw.verification.torch_modules.SelfAttention` —
  per head, the entries of Q_hᵀQ_h − K_hᵀK_h and V_hᵀV_h − O_hᵀO_h;
* **column sums** (Prop. 3.11): a Linear whose output is the model's output, trained with the
  cross-entropy loss — Σ_k W_{k,j} for each input j (and Σ_k b_k).

Parametrised modules of other types are listed as unsupported, never skipped silently.
:func:`check_laws` measures, on real batches, the relative orthogonality
|⟨∇h, ∇L⟩| / (‖∇h‖ ‖∇L‖) of every law to the loss gradient.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch
import torch.fx as fx
from torch import nn

from .latex import latex_text
from .torch_modules import SelfAttention

LINEAR_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
KNOWN_TYPES = LINEAR_TYPES + NORM_TYPES + (SelfAttention,)


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


@dataclass
class LawInventory:
    groups: list[LawGroup] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # patterns found but not claimed, with the reason

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)


class _Tracer(fx.Tracer):
    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return isinstance(m, SelfAttention) or super().is_leaf_module(m, qualname)


def _tex(name: str) -> str:
    return r"\mathtt{" + latex_text(name) + "}"


def _rows(w: torch.Tensor) -> torch.Tensor:
    """Per output unit, the squared norm of its incoming weights: (out,)."""
    return w.reshape(w.shape[0], -1).pow(2).sum(1)


def _cols(w: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """Per input unit, the squared norm of its outgoing weights: (in,).

    For a grouped convolution (``groups`` = G, weight of shape (out, in/G, *k)) input
    channel j = g·(in/G) + i feeds only the outputs of group g, through ``w[g·out/G:(g+1)·out/G, i]``.
    """
    out, per_group = w.shape[0], w.shape[1]
    return w.reshape(groups, out // groups, per_group, -1).pow(2).sum(dim=(1, 3)).reshape(groups * per_group)


def _single_user(node: fx.Node) -> fx.Node | None:
    users = list(node.users)
    return users[0] if len(users) == 1 else None


def _is_relu(node: fx.Node, mods: dict) -> bool:
    if node.op == "call_module":
        return isinstance(mods[node.target], nn.ReLU)
    return node.op in ("call_function", "call_method") and getattr(node.target, "__name__", node.target) in ("relu", "relu_")


def _shared_parameters(model: nn.Module) -> dict[str, list[str]]:
    """Canonical parameter name → every name it has, for parameters registered under several names (tied weights)."""
    names: dict[int, list[str]] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(name)
    return {v[0]: v for v in names.values() if len(v) > 1}


def find_laws(model: nn.Module) -> LawInventory:
    """Every law the patterns of the module docstring give, and the parametrised modules left unanalysed.

    A pattern whose parameters are shared with another module (tied weights) is not
    claimed: the other use breaks the symmetry in general; it is listed in ``skipped``.
    """
    graph = _Tracer().trace(model)
    mods = dict(model.named_modules())
    inv = LawInventory()
    shared = _shared_parameters(model)
    alias = {name: canon for canon, names in shared.items() for name in names}
    covered: set[str] = set()
    for node in graph.nodes:
        if node.op != "call_module":
            continue
        name, m = node.target, mods[node.target]
        if isinstance(m, SelfAttention):
            inv.groups.append(_attention_group(name, m))
            covered.add(name)
            continue
        user = _single_user(node)
        if isinstance(m, LINEAR_TYPES) and user is not None and user.op == "call_module" and isinstance(mods[user.target], NORM_TYPES):
            inv.groups.append(LawGroup(
                "scale", (name,), rf"\|{_tex(name + '.weight')}_{{c}}\|^2", (f"{name}.weight",),
                lambda p, n=name: _rows(p[f"{n}.weight"]), m.weight.shape[0],
                requires="batch norm in training mode (batch statistics); exact up to its eps (relative error ~ eps / variance)",
                norm=user.target))
            covered.add(name)
        if isinstance(m, LINEAR_TYPES + NORM_TYPES) and user is not None and _is_relu(user, mods):
            nxt = _single_user(user)
            if nxt is not None and nxt.op == "call_module" and isinstance(mods[nxt.target], LINEAR_TYPES):
                inv.groups.append(_rescale_group(name, m, nxt.target, mods[nxt.target]))
                covered.update({name, nxt.target})
        if isinstance(m, nn.Linear) and user is not None and user.op == "output":
            inv.groups.append(_column_sum_group(name, m))
            covered.add(name)
    for name, m in model.named_modules():
        own = [p for p in m.parameters(recurse=False)]
        if own and not isinstance(m, KNOWN_TYPES):
            inv.unsupported.append(f"{name} ({type(m).__name__}): no law pattern known for this layer type")
    kept = []
    for g in inv.groups:
        tied = [p for p in g.params if p in alias]
        if tied:
            others = sorted({n for p in tied for n in shared[alias[p]] if n != p})
            inv.skipped.append(f"{g.kind} laws of {', '.join(g.modules)}: {', '.join(tied)} is shared with "
                               f"{', '.join(others)} (tied weights), whose other use breaks the symmetry; not claimed")
        else:
            kept.append(g)
    inv.groups = kept
    return inv


def _rescale_group(a_name: str, a: nn.Module, b_name: str, b: nn.Module) -> LawGroup:
    has_bias = getattr(a, "bias", None) is not None
    params = (f"{a_name}.weight",) + ((f"{a_name}.bias",) if has_bias else ()) + (f"{b_name}.weight",)

    def values(p):
        out = _rows(p[f"{a_name}.weight"]) if p[f"{a_name}.weight"].ndim > 1 else p[f"{a_name}.weight"].pow(2)
        if has_bias:
            out = out + p[f"{a_name}.bias"].pow(2)
        return out - _cols(p[f"{b_name}.weight"], getattr(b, "groups", 1))

    first = rf"\|{_tex(a_name + '.weight')}_{{j}}\|^2" if a.weight.ndim > 1 else rf"({_tex(a_name + '.weight')}_{{j}})^2"
    bias = rf" + ({_tex(a_name + '.bias')}_{{j}})^2" if has_bias else ""
    latex = first + bias + rf" - \|{_tex(b_name + '.weight')}_{{:,j}}\|^2"
    return LawGroup("rescale", (a_name, b_name), latex, params, values, a.weight.shape[0])


def _column_sum_group(name: str, m: nn.Linear) -> LawGroup:
    has_bias = m.bias is not None
    params = (f"{name}.weight",) + ((f"{name}.bias",) if has_bias else ())

    def values(p):
        sums = p[f"{name}.weight"].sum(0)
        return torch.cat([sums, p[f"{name}.bias"].sum()[None]]) if has_bias else sums

    latex = rf"\sum_k {_tex(name + '.weight')}_{{k,j}}" + (rf",\ \sum_k {_tex(name + '.bias')}_k" if has_bias else "")
    return LawGroup("column_sum", (name,), latex, params, values, m.in_features + int(has_bias),
                    requires="the cross-entropy loss on the model's output")


def _attention_group(name: str, m: SelfAttention) -> LawGroup:
    H, dk, dv = m.heads, m.dk, m.dv
    params = tuple(f"{name}.{x}.weight" for x in "qkvo")
    iu_k = torch.triu_indices(dk, dk)
    iu_v = torch.triu_indices(dv, dv)

    def values(p):
        out = []
        for h in range(H):
            Q = p[f"{name}.q.weight"][h * dk:(h + 1) * dk].T  # d × dk
            K = p[f"{name}.k.weight"][h * dk:(h + 1) * dk].T
            V = p[f"{name}.v.weight"][h * dv:(h + 1) * dv].T  # d × dv
            O = p[f"{name}.o.weight"][:, h * dv:(h + 1) * dv]  # d × dv
            out.append((Q.T @ Q - K.T @ K)[iu_k[0], iu_k[1]])
            out.append((V.T @ V - O.T @ O)[iu_v[0], iu_v[1]])
        return torch.cat(out)

    latex = r"Q_h^\top Q_h - K_h^\top K_h,\ V_h^\top V_h - O_h^\top O_h \ (\text{" + latex_text(name) + "})"
    return LawGroup("attention", (name,), latex, params, values, H * (dk * (dk + 1) // 2 + dv * (dv + 1) // 2))


@dataclass
class LawCheck:
    """One law group on real batches: the worst relative orthogonality and what it means.

    ``verdict`` is ``"pass"`` (every law orthogonal to ∇L up to the dtype's rounding,
    ``tolerance``), ``"broken by eps"`` (a scale law off by no more than its batch norm's
    eps allows: ``eps_bound`` = eps / (smallest batch variance + eps), times 10), or
    ``"fail"`` (the law does not hold on these batches: a wrong pattern, a batch norm in
    eval mode, a loss the law does not apply to).
    """

    group: LawGroup
    max_relative_error: float
    values: torch.Tensor
    verdict: str = ""
    tolerance: float = 0.0
    eps_bound: float | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


def law_dots_and_norms(group: LawGroup, tensors: list[torch.Tensor], direction: list[torch.Tensor],
                       chunk_bytes: int = 2**28) -> tuple[torch.Tensor, torch.Tensor]:
    """(⟨∇h_i, v⟩, ‖∇h_i‖) for every law h_i of the group: one jvp along v for all the dots, and the
    gradients' norms from vjps batched with ``vmap`` in chunks of at most ``chunk_bytes`` of gradients."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, dots = torch.func.jvp(values, tuple(tensors), tuple(direction))
    _, pullback = torch.func.vjp(values, *tensors)
    numel = sum(t.numel() for t in tensors)
    chunk = max(1, min(group.count, chunk_bytes // (h.element_size() * max(numel, 1))))
    basis = torch.eye(group.count, dtype=h.dtype, device=h.device)
    grads = torch.func.vmap(pullback, chunk_size=chunk)(basis)
    norms = torch.sqrt(sum(gr.reshape(group.count, -1).pow(2).sum(1) for gr in grads))
    return dots, norms


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-9 if dtype == torch.float64 else 1e-4


def check_laws(model: nn.Module, inventory: LawInventory, loss_fn: Callable, batches: Iterable) -> list[LawCheck]:
    """For each law group, the largest |⟨∇h_i, ∇L⟩| / (‖∇h_i‖ ‖∇L‖) over its laws and the batches, with a verdict."""
    named = dict(model.named_parameters())
    mods = dict(model.named_modules())
    worst = {id(g): 0.0 for g in inventory.groups}
    variance: dict[str, float] = {}
    hooks = []
    for g in inventory.groups:
        if g.norm and g.norm in mods and g.norm not in variance:
            variance[g.norm] = float("inf")

            def record(module, args, output, n=g.norm):
                x = args[0].detach()
                dims = [k for k in range(x.ndim) if k != 1]
                variance[n] = min(variance[n], float(x.var(dim=dims, unbiased=False).min()))

            hooks.append(mods[g.norm].register_forward_hook(record))
    try:
        for inputs, targets in batches:
            model.zero_grad()
            loss_fn(model(inputs), targets).backward()
            for g in inventory.groups:
                tensors = [named[p].detach() for p in g.params]
                grad_L = [named[p].grad if named[p].grad is not None else torch.zeros_like(named[p]) for p in g.params]
                norm_L = torch.sqrt(sum(x.pow(2).sum() for x in grad_L))
                if norm_L == 0:
                    continue
                dots, norms = law_dots_and_norms(g, tensors, grad_L)
                ok = norms > 0
                if ok.any():
                    worst[id(g)] = max(worst[id(g)], float((dots[ok].abs() / (norms[ok] * norm_L)).max()))
    finally:
        for hook in hooks:
            hook.remove()
    params = {k: v.detach() for k, v in named.items()}
    out = []
    for g in inventory.groups:
        tol = _tolerance(named[g.params[0]].dtype)
        err = worst[id(g)]
        bound = None
        if g.norm and g.norm in variance and variance[g.norm] < float("inf"):
            eps = float(getattr(mods[g.norm], "eps", 0.0))
            bound = 10 * eps / (variance[g.norm] + eps)
        if err <= tol:
            verdict = "pass"
        elif bound is not None and mods[g.norm].training and err <= bound + tol:
            verdict = "broken by eps"
        else:
            verdict = "fail"
        out.append(LawCheck(g, err, g.values(params), verdict, tol, bound))
    return out
