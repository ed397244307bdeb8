"""Integrate a polynomial gradient flow in float64, for the numerical side of the weight-decay check.

The model's loss is ``L(θ) = ½‖φ(θ) − y‖²`` (a seeded target ``y``), so ``∇L = ∂φ(θ)ᵀ(φ(θ) − y)``; with weight
decay λ the flow is ``θ' = −∇L(θ) − λθ`` (main paper, Theorem 2.1).  φ and its Jacobian are compiled once into
arrays (every term ``c θ^α`` of every polynomial as one row of exponents) and evaluated in one vectorised pass;
the flow is integrated by the classical Runge–Kutta method of order 4 (error O(h⁴)).  Floats live here, in
``verification``, never in ``algebra``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


class CompiledPolynomials:
    """A list of polynomials of one ring, evaluated together at float64 points."""

    def __init__(self, polys: Sequence):
        rows, exps, coeffs = [], [], []
        for i, p in enumerate(polys):
            for monom, c in p.terms():
                rows.append(i)
                exps.append(monom)
                coeffs.append(float(c.numerator) / float(c.denominator))
        self.count = len(polys)
        self.rows = np.asarray(rows, dtype=np.intp)
        self.exps = np.asarray(exps, dtype=np.float64).reshape(len(rows), -1)
        self.coeffs = np.asarray(coeffs, dtype=np.float64)

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        if not len(self.rows):
            return np.zeros(self.count)
        terms = self.coeffs * np.prod(theta[None, :] ** self.exps, axis=1)
        return np.bincount(self.rows, weights=terms, minlength=self.count)


def weight_decay_flow(phi: Sequence, gens: Sequence) -> "callable":
    """``(θ, y, λ) ↦ −∂φ(θ)ᵀ(φ(θ) − y) − λθ`` for the polynomials ``phi`` and the fields ``gens = ∇φ_k``."""
    D = len(gens[0].components) if gens else 0
    values = CompiledPolynomials(phi)
    jac = CompiledPolynomials([c for g in gens for c in g.components])  # row k*D + i: ∂φ_k/∂θ_i

    def velocity(theta: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
        residual = values(theta) - y
        return -(jac(theta).reshape(len(gens), D).T @ residual) - lam * theta

    return velocity


def rk4(velocity, theta0: np.ndarray, t_end: float, steps: int, *args) -> np.ndarray:
    """θ(t_end) by ``steps`` classical Runge–Kutta steps of θ' = velocity(θ, *args)."""
    h = t_end / steps
    theta = np.array(theta0, dtype=np.float64)
    for _ in range(steps):
        k1 = velocity(theta, *args)
        k2 = velocity(theta + h / 2 * k1, *args)
        k3 = velocity(theta + h / 2 * k2, *args)
        k4 = velocity(theta + h * k3, *args)
        theta = theta + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return theta


__all__ = ["CompiledPolynomials", "rk4", "weight_decay_flow"]
