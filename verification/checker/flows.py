"""Generators of the flows other than the gradient flow (momentum, mirror, mirror-momentum), rebuilt by the checker
from φ: the phase-space lift and the metric fields."""
from __future__ import annotations

from typing import Any

import sympy

from .exact import _gradient
from .reading import _int, _need, _rational, _show

FLOW_KINDS = ("momentum", "mirror", "mirror-momentum")


def _phase_space(flow: dict, phi: list, names: list[str], symbols: list, prefix: str) -> tuple:
    """(τ, s, θ, the velocity-like symbols) of a phase-space certificate: the parameters must be s, then θ, then
    one ``prefix`` name per θ in the same order; φ may involve θ only."""
    tau = _rational(flow.get("tau"), "flow tau")
    _need(tau > 0, f"the friction tau must be positive, got {_show(flow.get('tau'))}")
    _need(len(names) % 2 == 1 and names[0] == "s", f"a {flow['kind']} certificate's parameters start with s")
    D = (len(names) - 1) // 2
    theta = symbols[1:D + 1]
    _need(names[D + 1:] == [prefix + n for n in names[1:D + 1]],
          f"a {flow['kind']} certificate's parameters are s, theta, then {prefix} of each theta in the same order")
    for k, p in enumerate(phi):
        _need(not (p.free_symbols - set(theta)), f"phi component {k} involves more than theta")
    return sympy.Rational(tau.numerator, tau.denominator), symbols[0], theta, symbols[D + 1:]


def _positive(flow: dict, D: int) -> set[int]:
    """The parameters under the entropic metric (``flow.positive``: indices into θ; default all)."""
    if "positive" not in flow:
        return set(range(D))
    chosen = flow["positive"]
    _need(isinstance(chosen, list) and len(chosen) <= D, "\"positive\" must be a list of parameter indices")
    return {_int(i, "a positive parameter index", 0, D - 1) for i in chosen}


def _which(chosen: set[int], names: list[str]) -> str:
    """The parameters that carry the entropic metric, by name (all of them, or the list)."""
    if len(chosen) == len(names):
        return f"all {len(names)} parameters"
    listed = ", ".join(names[i] for i in sorted(chosen))
    return f"{len(chosen)} of the {len(names)} parameters: {listed}; Euclidean on the others"


def _flow_generators(flow: Any, phi: list, names: list[str], symbols: list) -> tuple[list, str]:
    """The generators of a certificate's flow, rebuilt from φ, and a sentence saying which they are.

    * ``momentum``: the heavy-ball flow on (s, θ, v): V_0 = (τs, v, −τv), W_k = (0, 0, −∇_θφ_k);
    * ``mirror``: the mirror flow θ̇ = −K(θ)∇L on θ, K = diag(θ_i on the positive parameters, 1 elsewhere):
      X_k = K(θ)∇φ_k;
    * ``mirror-momentum``: its momentum version on (s, θ, p): V_0 = (τs, K(θ)p, −τp), W_k = (0, 0, −∇_θφ_k).
    """
    _need(isinstance(flow, dict) and flow.get("kind") in FLOW_KINDS, f"unknown flow {_show(flow)}")
    kind = flow["kind"]
    if kind == "mirror":
        chosen = _positive(flow, len(symbols))
        grads = [_gradient(p, symbols) for p in phi]
        return ([sympy.Matrix([t * g if i in chosen else g for i, (t, g) in enumerate(zip(symbols, grad))])
                 for grad in grads],
                f"the mirror-flow fields K(theta) grad phi_k built from phi ({len(phi)}; entropic metric on "
                f"{_which(chosen, names)})")
    tau, s, theta, dual = _phase_space(flow, phi, names, symbols, "v_" if kind == "momentum" else "p_")
    D = len(theta)
    if kind == "momentum":
        moved = list(dual)
    else:
        chosen = _positive(flow, D)
        moved = [t * p if i in chosen else p for i, (t, p) in enumerate(zip(theta, dual))]
    drift = sympy.Matrix([tau * s] + moved + [-tau * x for x in dual])
    pushes = [sympy.Matrix([0] * (D + 1) + [-g for g in _gradient(p, theta)]) for p in phi]
    which = f"; entropic metric on {_which(chosen, names[1:D + 1])}" if kind == "mirror-momentum" else ""
    return [drift] + pushes, f"the {kind} phase-space fields V_0 and W_k built from phi ({len(phi) + 1}{which})"
