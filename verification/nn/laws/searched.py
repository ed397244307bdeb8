"""Law groups from the symmetry search's laws (:mod:`conslaw.verification.nn.search`), completing the patterns'
laws in :func:`~.find.find_laws`: the laws of the search that are independent of the patterns' (their gradients
at the model's θ), verified on the example inputs like every group, then added as law groups of their own."""
from __future__ import annotations

from typing import Optional

import torch
import torch.fx as fx
from torch import nn

from conslaw.algebra import ConslawError

from ..graph import op_name
from ..ops import CompositeOps
from ..search.candidates import DIAGONAL, ENTRY, FIBER, MEAN, PAIR, SHIFT, Candidate, quantities
from ..search.latex import law_latex
from ..search.search import law_matrix, symmetry_search
from ..search.solve import independent_rows
from .inventory import LawGroup, LawInventory, law_gradients
from .refute import refute_on_inputs

TERM_NAMES = {DIAGONAL: "scaling", PAIR: "mixing", MEAN: "mixing", SHIFT: "translation", FIBER: "translation", ENTRY: "translation"}
INDEPENDENT = 1e-6  # a search law counts as new when its gradient's part outside the span found is this (relative)


def _with_ops(entry: str, graph: Optional[fx.Graph]) -> str:
    """A broken-mixing entry ("NAME axis A (N mixings)") with the ops that follow NAME's module in the graph."""
    module = entry.split(" axis ", 1)[0].rsplit(".", 1)[0]
    ops = ops_after(graph, module)
    return entry if not ops else f"{entry}, then {', '.join(ops)}"


def _recover_coverage(model: nn.Module, inventory: LawInventory) -> None:
    """After the search, the modules the patterns listed as unsupported or without laws are restated: dropped
    where a law now involves their parameters, else said to have none by either path."""
    involved = {p.rsplit(".", 1)[0] for g in inventory.groups for p in g.params}
    mods = dict(model.named_modules())

    def restated(entries: list[str]) -> list[str]:
        out = []
        for entry in entries:
            name = entry.split(" (", 1)[0]
            if name in involved:
                continue
            if name in mods and any(p.requires_grad for p in mods[name].parameters(recurse=False)):
                out.append(f"{name} ({type(mods[name]).__name__}): no law involves its parameters, neither a "
                           "pattern's nor the symmetry search's")
            else:
                out.append(entry)
        return out

    inventory.unsupported = restated(inventory.unsupported)
    inventory.without_laws = restated(inventory.without_laws)


OPS_SHOWN = 12  # ops named after a module whose mixings all fail


def ops_after(graph: Optional[fx.Graph], module: str) -> list[str]:
    """The names of the ops that read ``module``'s output in the traced graph, followed forward until the next
    parametrised module calls (first reached first, each name once, at most ``OPS_SHOWN``): where what breaks a
    mixing is to be looked for (e.g. a rotary embedding's mul, cat and neg after a query projection)."""
    if graph is None:
        return []
    start = [n for n in graph.nodes if n.op == "call_module" and n.target == module]
    seen, names, queue = set(start), [], [u for n in start for u in n.users]
    while queue and len(names) < OPS_SHOWN:
        node = queue.pop(0)
        if node in seen or node.op in ("output", "placeholder"):
            continue
        seen.add(node)
        if node.op == "call_module":
            names.append(str(node.target))
            continue
        name = op_name(node) if node.op in ("call_function", "call_method") else node.op
        if name not in names:
            names.append(name)
        queue += list(node.users)
    return names


def complete_with_search(model: nn.Module, inventory: LawInventory, inputs: torch.Tensor, *,
                         loss: str = "cross_entropy", class_dim: Optional[int] = None, seed: int = 0,
                         graph: Optional[fx.Graph] = None) -> None:
    """Add to ``inventory`` the search's laws beyond its groups (in place); what the search did or why it did not
    run goes to ``inventory.notes``, refuted search groups to ``refuted``/``skipped``.  ``graph``: the traced
    graph, where the ops after a module whose mixings all fail are read (:func:`ops_after`)."""
    try:
        result = symmetry_search(model, inputs, loss=loss, class_dim=class_dim, seed=seed)
    except ConslawError as exc:  # never silent: the patterns' laws stand, and why the search gave nothing is said
        inventory.notes.append(f"symmetry search failed: {exc}")
        return
    inventory.search = result.evidence
    inventory.notes += result.notes
    if result.broken:
        inventory.notes.append(
            "symmetry search: these axes have indices that scale independently, yet no mixing of them is a symmetry "
            f"(every candidate mixing fails the system solved at {result.evidence.get('stage 2 points', 0)} random "
            "points; an elementwise weight, a rotary embedding or an activation between the tensors breaks GL): "
            + "; ".join(_with_ops(entry, graph) for entry in result.broken))
    if result.coefficients is None or not result.coefficients.shape[0]:
        return
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    params = dict(model.named_parameters())
    theta = {n: params[n].detach().to(torch.float64) for n in names}
    search_rows = law_matrix(result.candidates, result.coefficients, theta, names)
    flat = torch.cat([params[n].detach().reshape(-1) for n in names])
    found = law_gradients(inventory.groups, model, names, flat).to(torch.float64)
    kept = independent_rows(search_rows, span=found, rel=INDEPENDENT)
    if not kept:
        inventory.notes.append(f"symmetry search: its {result.coefficients.shape[0]} laws are all in the span of the "
                               "patterns' laws")
        _recover_coverage(model, inventory)
        return
    groups = law_groups(result.candidates, result.coefficients[kept], params)
    batch_norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
    if batch_norms:  # the search solved at eps 0 (the idealised layer): verified there too, and said
        with CompositeOps(0.0):
            groups, refuted = refute_on_inputs(model, groups, (inputs,), loss=loss, class_dim=class_dim)
        inventory.notes.append("symmetry search: the model's batch norms are taken at eps 0 (the idealised layer), "
                               "where its laws are verified; their own eps breaks the scale laws slightly")
    else:
        groups, refuted = refute_on_inputs(model, groups, (inputs,), loss=loss, class_dim=class_dim)
    inventory.refuted += refuted
    inventory.skipped += refuted
    inventory.groups += groups
    _recover_coverage(model, inventory)
    inventory.notes.append(
        f"symmetry search: {sum(g.count for g in groups)} laws beyond the patterns' (of {result.coefficients.shape[0]} "
        f"it found; {result.evidence.get('seconds', 0):g} s), numerical: solved from gradients at "
        f"{result.evidence.get('stage 1 points', 0) + result.evidence.get('stage 2 points', 0)} random points, "
        f"each law then confirmed at fresh ones (|cos| ≤ {result.evidence.get('confirmation |cos| max', 0):.0e})")


def law_groups(cands: list[Candidate], laws: torch.Tensor, params: dict) -> list[LawGroup]:
    """The laws as law groups, one per set of tensors (and kinds of term) they involve, in order of appearance."""
    shapes = {n: tuple(p.shape) for n, p in params.items()}
    keyed: dict[tuple, list[int]] = {}
    for k, row in enumerate(laws):
        support = torch.nonzero(row).flatten().tolist()
        key = tuple(sorted({(cands[u].tensor, cands[u].kind) for u in support}))
        keyed.setdefault(key, []).append(k)
    groups = []
    for key, rows in keyed.items():
        block = laws[rows]
        cols = torch.nonzero(block.abs().sum(0)).flatten().tolist()
        sub = [cands[u] for u in cols]
        C = block[:, cols]
        tensors = tuple(dict.fromkeys(c.tensor for c in sub))
        kinds = sorted({TERM_NAMES[c.kind] for c in sub})
        kind = "symmetry search: " + "/".join(kinds)
        first = law_latex(sub, C[0], shapes)
        latex = first if len(rows) == 1 else first + rf"\quad(\text{{and {len(rows) - 1} more of this form}})"

        def values(p, C=C, sub=sub, tensors=tensors):
            return C.to(p[tensors[0]].dtype) @ quantities({t: p[t] for t in tensors}, sub)

        groups.append(LawGroup(kind, tuple(dict.fromkeys(t.rsplit(".", 1)[0] for t in tensors)), latex, tensors,
                               values, len(rows)))
    return groups
