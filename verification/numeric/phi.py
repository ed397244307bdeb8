"""φ written directly in torch, at any size, for the numerical count (no SymPy objects).

The exact builders of :mod:`conslaw.algebra.architectures` make a SymPy ring with one
generator per parameter, which stops at a few thousand parameters.  For the architectures
with a closed form, φ is written here with tensor operations, with the *same parameter layout*
as the exact builder (so the tests compare both at the same θ):

* ReLU networks: the path lifting, φ = (∏_l U_l[j_l, j_{l−1}])_{paths} plus the paths that
  start at a hidden bias (docs/THEORY.md §3); m = n_0 n_1 ⋯ n_q + Σ_l n_l ⋯ n_q components;
* linear networks: φ = U_q ⋯ U_1 (n_q n_0 components);
* attention: φ = (Q_h K_hᵀ, V_h O_hᵀ)_h (eq. 19, 2 H d² components).

Other architectures (conv, softmax) are built exactly and converted
(:func:`numeric_maps.torch_polynomial_map`): right at the sizes where exact builds are feasible.
A residual connection changes neither φ nor the laws (Proposition 3.2).

A *model* g(θ, x) on a fixed pool of inputs x_1, …, x_S is a map too:
:func:`model_map` θ ↦ (g(θ, x_s))_s has the gradients ∇⟨w, ·⟩ = Σ_s ∂_θ g(θ, x_s)ᵀ w_s, the
model's own fields X_{x,w}, so the same count gives the model's laws — softmax included — where
no polynomial φ is known to capture them (several attention heads: Corollary 3.10).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
from torch.func import vmap

from conslaw.algebra import build_architecture
from conslaw.algebra.architectures import (
    attention_description,
    check_attention_sizes,
    check_request,
    check_softmax_sizes,
    residual_description,
    spec_of,
)
from conslaw.algebra.architectures.base import positive_int
from conslaw.algebra.errors import ShapeError

from .maps import torch_polynomial_map
from .models import attention_model, softmax_model

TorchMap = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class NumericMap:
    """φ as a torch function of a flat θ ∈ R^D, with what a report needs to say about it."""

    phi: TorchMap
    dim: int
    components: int
    description: str
    notes: list[str] = field(default_factory=list)
    #: a name for each component of φ (the generator ∇φ_k's), or None where none is known without building φ
    labels: list[str] | None = None


def spec_map(name: str, widths: Sequence[int] = (), bias: bool = False, **options) -> NumericMap:
    """φ of a registered architecture in torch, from its spec's array φ (:mod:`conslaw.algebra.architectures.spec`):
    the same code as the registry's, with the builder's θ layout, at any size (nothing exact is built)."""
    spec = spec_of(check_request(name, widths, bias, **options))
    opts = {k: options.get(k) for k in spec.options}
    if spec.array_phi is None or spec.describe is None:
        raise ShapeError(f"{spec.name} has no array phi: build it exactly (numeric_map converts the exact phi)")
    blocks = spec.array_phi(list(widths), bias, opts)  # validates the sizes
    dim, components = spec.sizes(list(widths), bias, opts)
    description, notes = spec.describe(list(widths), bias, opts)

    def phi(theta: torch.Tensor) -> torch.Tensor:
        return torch.cat([block.reshape(-1) for block in blocks(theta)])

    return NumericMap(phi, dim, components, description, list(notes))


def relu_path_lift(widths: Sequence[int], bias: bool = False) -> NumericMap:
    """Path lifting of the ReLU network with these widths; θ = (U_1, b_1, U_2, b_2, …, U_q) row-major."""
    return spec_map("relu", widths, bias)


def linear_product(widths: Sequence[int]) -> NumericMap:
    """φ = U_q ⋯ U_1 for the linear network with these widths; θ = (U_1, …, U_q) row-major."""
    return spec_map("linear", widths)


def attention_products(d: int, dk: int, dv: int, heads: int = 1, tokens: int = 2) -> NumericMap:
    """φ = (Q_h K_hᵀ, V_h O_hᵀ)_h; θ = (Q_1, K_1, V_1, O_1, Q_2, …) row-major, Q, K ∈ R^{d×d'}, V, O ∈ R^{d×d''}."""
    return spec_map("attention", d=d, dk=dk, dv=dv, heads=heads, tokens=tokens)


def model_map(g: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], inputs: torch.Tensor) -> TorchMap:
    """θ ↦ (g(θ, x_s))_s, flattened, for the inputs x_s = ``inputs[s]``: its components' gradients span the
    model's fields X_{x_s, w} (docs/THEORY.md §1), so its Lie algebra is the model's at these inputs."""
    return lambda theta: vmap(lambda x: g(theta, x))(inputs).reshape(-1)


def attention_model_map(d: int, dk: int, dv: int, heads: int = 1, tokens: int = 4, inputs: int | None = None,
                        seed: int = 0) -> NumericMap:
    """The attention model of eq. (19) itself, softmax included, on ``inputs`` random X ∈ R^{N×d}.

    Entries of X are N(0, 1/d), so that X Q Kᵀ Xᵀ stays O(√d') and the softmax is not saturated
    (a saturated softmax makes the fields nearly dependent and the rank unclear).  By default
    S = ⌈5D / (N d)⌉ inputs, so that the model's values have five times as many components as θ.
    """
    d, dk, dv, H, N = check_attention_sizes(d, dk, dv, heads, tokens)
    g, dim = attention_model(d, dk, dv, H)
    S = positive_int(inputs, "number of inputs") if inputs is not None else -(-5 * dim // (N * d))
    X = torch.randn(S, N, d, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) / math.sqrt(d)

    def phi(theta: torch.Tensor) -> torch.Tensor:
        return model_map(g, X.to(theta))(theta)

    return NumericMap(phi, dim, S * N * d, f"{attention_description(d, dk, dv, H)}: the model itself "
                      f"(softmax included) on {S} random inputs of {N} tokens",
                      ["counted from the model's own fields X_(x,w) = d_theta<w, Y(theta, x)> at these inputs, not from "
                       "phi: a numerical count of the model's laws (Corollary 3.10 proves the per-head laws conserved)"],
                      [f"Y(theta, input {s})[{n},{j}]" for s in range(S) for n in range(N) for j in range(d)])


def softmax_model_map(n: int, classes: int, bias: bool = False, inputs: int | None = None, seed: int = 0) -> NumericMap:
    """The cross-entropy classification layer itself (eq. 20), softmax included: θ ↦ the per-sample losses
    CE(softmax(W z_s + b), y_s) on ``inputs`` random samples, whose gradients are the model's own fields.

    z_s ~ N(0, 1/n), y_s a random label distribution (uniform entries, normalised).  By default S = 5D samples.
    """
    n, K = check_softmax_sizes(n, classes)
    g, dim = softmax_model(n, K, bias)
    S = positive_int(inputs, "number of inputs") if inputs is not None else 5 * dim
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(S, n, dtype=torch.float64, generator=gen) / math.sqrt(n)
    y = torch.rand(S, K, dtype=torch.float64, generator=gen) + 0.1
    samples = torch.cat([z, y / y.sum(1, keepdim=True)], 1)

    def phi(theta: torch.Tensor) -> torch.Tensor:
        return model_map(g, samples.to(theta))(theta)

    return NumericMap(phi, dim, S, f"softmax classification layer with {n} inputs and {K} classes"
                      + (" and a bias" if bias else "") + f": the model itself (softmax and cross-entropy included) "
                      f"on {S} random samples (z, y)",
                      ["counted from the model's own fields, the per-sample cross-entropy gradients at these samples, "
                       "not from phi: a numerical count of the model's laws (Prop. 3.11: the column sums)"],
                      [f"the cross-entropy on sample {s}" for s in range(S)])


def attention_sizes(options: dict) -> tuple[int, int, int, int]:
    """(d, d', d'', H) from the command-line options, naming the missing ones."""
    missing = [k for k in ("d", "dk", "dv") if options.get(k) is None]
    if missing:
        raise ShapeError(f"attention needs --d, --dk and --dv (missing: {', '.join('--' + m for m in missing)})")
    return options["d"], options["dk"], options["dv"], options.get("heads") or 1


def numeric_map(name: str, widths: Sequence[int] = (), bias: bool = False, residual: bool = False, **options) -> NumericMap:
    """The torch φ of a registered architecture (the arguments of ``build_architecture``): its spec's array φ
    (:func:`spec_map`), or, for an architecture without one, its exact φ converted (feasible at the sizes the exact
    builder reaches).  A residual connection changes neither φ nor the laws (Prop. 3.2)."""
    spec = spec_of(check_request(name, widths, bias, **options))
    if spec.array_phi is None or spec.describe is None:
        arch = build_architecture(spec.name, widths, bias=bias, residual=residual, **options)
        return NumericMap(torch_polynomial_map(arch.phi), arch.dim, len(arch.phi), arch.description, list(arch.notes),
                          list(arch.phi_labels))
    out = spec_map(spec.name, widths, bias, **options)
    if residual:
        ends = (widths[0], widths[-1]) if spec.takes_widths else (options.get("d"), options.get("d"))
        if ends[0] != ends[1]:
            raise ShapeError(f"a residual connection x + g(x) needs equal input and output sizes; {spec.name} has {ends}")
        out.description = residual_description(out.description)
    return out
