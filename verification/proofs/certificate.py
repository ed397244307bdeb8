"""Completeness certificates (docs/THEORY.md §2, "Exact certificate on an instance").

A certificate is a JSON document that anyone can re-check with only itself:

1. each law h_i satisfies ⟨∇h_i, X⟩ ≡ 0 for every generator X (polynomial identity);
2. the gradients ∇h_i(θ_0) are linearly independent at the rational point θ_0;
3. the listed brackets, evaluated at θ_0, have exact rank r_0.

Then #laws ≥ m (the number of h_i) and dim Lie(V)(θ_0) ≥ r_0, hence
#laws ≤ D − r_0.  When r_0 + m = D the count is proven at θ_0 and the h_i
are complete near it (Theorem 2.11); otherwise the verdict only bounds it.
The generators are the ∇φ_k (gradient flows) or, with ``"flow": {"kind": …}``, those of another flow rebuilt
from φ: the heavy-ball phase-space fields (:func:`build_momentum_certificate`), the entropic mirror flow's
θ ⊙ ∇φ_k and its momentum version (:func:`build_mirror_certificate`).
"""
from __future__ import annotations

import json
import time
from typing import Optional

from sympy import QQ

from conslaw.algebra import (
    build_architecture,
    independent_rows,
    lie_trace,
    polynomial_laws,
)
from conslaw.algebra.architectures import Architecture
from conslaw.algebra.fields import PolynomialVectorField
from conslaw.algebra.metric_flows import (
    mirror_fields,
    mirror_momentum_fields,
    positive_points,
)
from conslaw.algebra.phase_space import lift_to_phase_space, momentum_fields
from conslaw.algebra.points import format_point
from conslaw.algebra.trace import ProgressCallback

from .counting import model_scope

FORMAT = "conslaw-certificate"
VERSION = 2  # 2: polynomials as structured terms (version 1 stored text; the checker still reads it, safely)


def polynomial_record(p) -> dict:
    """A polynomial as data: ``{"terms": [["p/q", [[index, exponent], ...]], ...], "text": readable}``.

    The checker rebuilds the polynomial from ``terms`` alone (no parsing of
    code) and requires ``text``, read by the bounded grammar, to say the same.
    """
    terms = [[str(c), [[k, e] for k, e in enumerate(m) if e]] for m, c in sorted(p.terms())]
    return {"terms": terms, "text": str(p.as_expr())}


def polynomial_text(record) -> str:
    """The readable text of a stored polynomial (version 2 record or version 1 string)."""
    return record["text"] if isinstance(record, dict) else record


def verdict_for(dim: int, rank: int, laws: int, single_field: bool = False) -> dict:
    """The verdict that the three verified numbers support.  With ``single_field`` (the generators are one field)
    and rank 1 (it does not vanish at the point) the flow-box theorem gives exactly D − 1 laws near the point,
    however many of them are written out."""
    if single_field and rank == 1 and laws < dim - 1:
        return {"status": "proven", "laws": dim - 1,
                "text": f"exactly {dim - 1} independent conservation laws (one field, nonzero at the point: the "
                        f"flow-box theorem; {laws} of them written out)"}
    if rank + laws == dim:
        return {"status": "proven", "laws": laws,
                "text": f"exactly {laws} independent conservation laws (rank {rank} + {laws} laws = D = {dim})"}
    return {"status": "bounded", "lower": laws, "upper": dim - rank,
            "text": f"count bounded between {laws} and {dim - rank}"}


def architecture_spec(arch: Architecture) -> dict:
    """Name and sizes: enough for the checker to rebuild φ on its own."""
    return {"name": arch.name, **arch.shape}


def _witness(trace) -> list[dict]:
    """The witness brackets of a trace at its first point: independent kept fields, as trees with their values."""
    point = trace.points[0]
    kept = trace.kept_nodes()
    values = [trace.graph.field(n).evaluate(point) for n in kept]
    return [{"tree": trace.graph.tree(kept[i]), "value": format_point(values[i])} for i in independent_rows(values)]


def _claims(space, fields, trace, degree: int) -> tuple[list, list[dict], list, object]:
    """(point, witness brackets, independent laws, law basis) of a trace: the three claims a certificate makes."""
    point = trace.points[0]
    witness = _witness(trace)
    basis = polynomial_laws(fields, degree)
    grads = [PolynomialVectorField.gradient(space, h).evaluate(point) for h in basis.laws]
    laws = [basis.laws[i] for i in independent_rows(grads)]
    return point, witness, laws, basis


GIVEN_RULE = "the gradients of the stored components of phi, then the stored fields, in this order"


def build_certificate(
    arch: Architecture,
    *,
    degree: int = 2,
    seed: int = 0,
    progress: Optional[ProgressCallback] = None,
    trace=None,
) -> dict:
    """Count, discover laws of degree ≤ ``degree``, pick witnesses, and write the certificate.  ``trace``: a
    ``lie_trace(arch.generators(), seed=seed, n_points=1)`` the caller already holds (to keep its bracket graph)."""
    t0 = time.perf_counter()
    gens = arch.generators()
    if trace is None:
        trace = lie_trace(gens, seed=seed, n_points=1, progress=progress)
    point, witness, laws, basis = _claims(arch.space, gens, trace, degree)
    if arch.extra_fields:  # user-given fields (--fields FILE): stored, and read back by the checker as they are
        cert = _document(arch, arch.space, arch.description, GIVEN_RULE, arch.phi, point, seed, witness, laws,
                         basis, degree, t0, single_field=len(gens) == 1)
        cert["generators"]["fields"] = [[polynomial_record(c) for c in X.components] for X in arch.extra_fields]
        return cert
    return _document(arch, arch.space, arch.description, "gradients of the components of phi", arch.phi, point,
                     seed, witness, laws, basis, degree, t0, single_field=len(gens) == 1)


def _document(arch: Architecture, space, description: str, rule: str, phi, point, seed: int, witness, laws, basis,
              degree: int, t0: float, flow: Optional[dict] = None, single_field: bool = False) -> dict:
    """The certificate's JSON object from its claims (``flow`` only for other flows than the gradient flow)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture_spec(arch),
        **({"flow": flow} if flow is not None else {}),
        "description": description,
        "parameters": list(space.names),
        "D": space.dim,
        "point": format_point(point),
        "seed": seed,
        "generators": {"rule": rule, "phi": [polynomial_record(p) for p in phi]},
        "laws": [polynomial_record(h) for h in laws],
        "law_search": {"degree": degree, "basis_size": len(basis.laws), "method": basis.method},
        "rank_witness": {"rank": len(witness), "brackets": witness},
        "verdict": verdict_for(space.dim, len(witness), len(laws), single_field),
        "model": model_scope(arch),
        "notes": list(arch.notes),
        "seconds": round(time.perf_counter() - t0, 4),
    }


MOMENTUM_RULE = ("heavy-ball flow on phase space (s = e^{tau t}, theta, v): generator 0 is V_0 = (tau s, v, -tau v), "
                 "generator k >= 1 is W_k = (0, 0, -grad phi_k)")


def build_momentum_certificate(arch: Architecture, *, degree: int = 3, seed: int = 0, tau=QQ(1)) -> dict:
    """The certificate of the heavy-ball flow θ'' + τθ' = −∇L (Keep the Momentum) on phase space (s, θ, v)
    (:func:`conslaw.algebra.phase_space.momentum_fields`): the same three claims — laws of degree ≤ ``degree``
    verified against V_0 and every W_k, independent at a seeded rational point, witness brackets of exact rank r —
    proven when r + #laws = 2D + 1.  φ is stored lifted to phase space (its terms index the phase-space
    parameters); ``flow`` tells the checker how to rebuild the generators from it."""
    t0 = time.perf_counter()
    space, fields = momentum_fields(arch, tau)
    trace = lie_trace(fields, seed=seed, n_points=1)
    point, witness, laws, basis = _claims(space, fields, trace, degree)
    lifted = [lift_to_phase_space(p, space) for p in arch.phi]
    description = f"{arch.description}, heavy-ball flow on phase space (s = e^(tau t), theta, v = theta')"
    return _document(arch, space, description, MOMENTUM_RULE, lifted, point, seed, witness, laws, basis, degree, t0,
                     flow={"kind": "momentum", "tau": str(QQ(tau))})


MIRROR_RULES = {
    "mirror": ("mirror flow theta' = -K(theta) grad L, K = diag(theta_i on the positive parameters (flow.positive, "
               "default all), 1 elsewhere): generator k is K(theta) grad phi_k"),
    "mirror-momentum": ("mirror flow with momentum on phase space (s = e^{tau t}, theta, p): generator 0 is "
                        "V_0 = (tau s, K(theta) p, -tau p), generator k >= 1 is W_k = (0, 0, -grad phi_k)"),
}


def build_mirror_certificate(arch: Architecture, *, momentum: bool = False, degree: int = 2, seed: int = 0,
                             tau=QQ(1), positive=None) -> dict:
    """The certificate of the mirror flow θ̇ = −K(θ)∇L (entropic metric on the ``positive`` parameters, default
    all: NMF's geometry; :func:`conslaw.algebra.metric_flows.icnn_positive` for an ICNN), or with ``momentum`` of
    its momentum version on (s, θ, p) (:mod:`conslaw.algebra.metric_flows`), at a seeded *positive* rational point
    (the flows live on θ > 0): the same three claims as :func:`build_certificate`."""
    t0 = time.perf_counter()
    chosen = sorted(range(arch.dim) if positive is None else positive)
    if momentum:
        space, fields = mirror_momentum_fields(arch, tau, chosen)
        phi = [lift_to_phase_space(p, space) for p in arch.phi]
        kind, flow = "mirror-momentum", {"kind": "mirror-momentum", "tau": str(QQ(tau))}
        description = f"{arch.description}, mirror flow with momentum on (s = e^(tau t), theta, p)"
    else:
        space, fields, phi = arch.space, mirror_fields(arch, chosen), arch.phi
        kind, flow = "mirror", {"kind": "mirror"}
        description = f"{arch.description}, mirror flow theta' = -K(theta) grad L on theta > 0"
    if positive is not None:
        flow["positive"] = chosen
        description += f" (entropic metric on {len(chosen)} of the {arch.dim} parameters, Euclidean on the others)"
    trace = lie_trace(fields, points=positive_points(space.dim, seed, 1))
    point, witness, laws, basis = _claims(space, fields, trace, degree)
    return _document(arch, space, description, MIRROR_RULES[kind], phi, point, seed, witness, laws, basis, degree, t0,
                     flow=flow, single_field=len(fields) == 1)


def build_data_symmetry_certificate(name: str, options: dict, *, loss: str = "square", seed: int = 0,
                                    degree: int = 2) -> dict:
    """The certificate of the laws of an augmented model (:mod:`conslaw.algebra.data_symmetry`): the generator
    fields are stored (the checker compares their span with its own rebuild of the loss gradients), with the
    usual claims — laws verified, independent at a seeded rational point, witness brackets of exact rank r.  The
    laws are the polynomial ones of degree ≤ ``degree`` and, for ``c3-linear`` under the square loss, the
    hand-derived rational laws of :func:`c3_plane_laws`.  For the logistic loss the fields are those of the first
    Taylor orders, so the count they prove is an upper bound for the loss itself, and exact where the model's own
    laws (conserved for every data set) meet it."""
    from conslaw.algebra.data_symmetry import (
        augmented_fields,
        build_augmented_model,
        c3_plane_laws,
        margin_orders,
        rational_law_gradients,
    )

    t0 = time.perf_counter()
    model = build_augmented_model(name, **options)
    space = model.theta
    flow = {"kind": "data-symmetry", "loss": loss, "augmented": True}
    if loss != "square":
        flow["orders"] = margin_orders(loss)
    fields = augmented_fields(model, loss, flow.get("orders"))
    trace = lie_trace(fields, seed=seed, n_points=1)
    point = trace.points[0]
    witness = _witness(trace)
    basis = polynomial_laws(fields, degree)
    candidates = [(h, space.ring.one) for h in basis.laws]
    if name == "c3-linear" and loss == "square":
        candidates = c3_plane_laws(model) + candidates
    grads = rational_law_gradients(space, candidates, point)
    laws = [candidates[i] for i in independent_rows(grads)] if grads else []
    records = [polynomial_record(A) if B == space.ring.one else
               {"numerator": polynomial_record(A), "denominator": polynomial_record(B)} for A, B in laws]
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {"name": f"augmented-{name}", **options},
        "flow": flow,
        "description": f"{model.name}, {loss} loss on data augmented by the group ({model.group_text})",
        "parameters": list(space.names),
        "D": space.dim,
        "point": format_point(point),
        "seed": seed,
        "generators": {"rule": "the stored fields: a basis of the span of the loss gradients over all augmented "
                               "data sets (x-coefficients)", "phi": [],
                       "fields": [[polynomial_record(c) for c in X.components] for X in fields]},
        "laws": records,
        "law_search": {"degree": degree, "basis_size": len(basis.laws), "method": basis.method},
        "rank_witness": {"rank": len(witness), "brackets": witness},
        "verdict": verdict_for(space.dim, len(witness), len(laws), len(fields) == 1),
        "model": {"relation": "equal", "reasons": []},
        "notes": ["for the logistic loss: fields of the Taylor orders " + str(flow["orders"]) + " only, so the count "
                  "is an upper bound for the loss itself"] if loss != "square" else [],
        "seconds": round(time.perf_counter() - t0, 4),
    }


def build_intrinsic_certificate(arch: Architecture, point, *, degree: int = 2, seed: int = 0,
                                inclusion: Optional[dict] = None) -> dict:
    """A gradient-flow certificate at the given rational ``point`` (its count and laws, so that the laws are known
    complete where the count is proven) with the kernel-inclusion claim of intrinsic dynamics there
    (:func:`conslaw.algebra.intrinsic.kernel_inclusion`, or ``inclusion`` when the caller already has it for a
    basis of the same laws), which the checker re-verifies."""
    from conslaw.algebra.intrinsic import kernel_inclusion

    t0 = time.perf_counter()
    gens = arch.generators()
    trace = lie_trace(gens, points=[list(point)])
    point, witness, laws, basis = _claims(arch.space, gens, trace, degree)
    cert = _document(arch, arch.space, arch.description, "gradients of the components of phi", arch.phi, point,
                     seed, witness, laws, basis, degree, t0, single_field=len(gens) == 1)
    r = inclusion if inclusion is not None else kernel_inclusion(arch, point, laws)
    cert["intrinsic"] = {"holds": r["holds"], "rank_dphi_dh": r["rank_dphi_dh"],
                         "rank_with_dM": r["rank_with_dM"],
                         "criterion": "ker[dphi; dh] in ker dM, M = dphi dphi^T (necessary for an intrinsic flow)"}
    if not r["holds"]:
        cert["intrinsic"]["witness"] = r["witness"]["direction"]
    return cert


def certify(name: str, widths, bias: bool = False, **kwargs) -> dict:
    """Build the architecture by name and certify it."""
    return build_certificate(build_architecture(name, widths, bias=bias), **kwargs)


def certificate_text(cert: dict) -> str:
    """The certificate as the JSON text that :func:`write_certificate` stores."""
    return json.dumps(cert, indent=1) + "\n"


def write_certificate(cert: dict, path: str) -> None:
    with open(path, "w") as fh:
        fh.write(certificate_text(cert))
