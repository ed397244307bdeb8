"""Why the numerical count runs composite norms and hard activations (verification/nn/ops.py).

    python benchmarks/higher_derivatives.py

1. On the GPT-2 block of the tests (float64, 16 sequences, seed 0): the largest |cos| between the gradient of a
   LayerNorm law (exact) and six random depth-2 brackets (third derivatives of the model), through torch's
   fused ``layer_norm`` and through the count's model map, which runs the composite formula.
2. A depth-1 bracket through ``hardsigmoid``: torch's kernel, then the count's model map.
"""
from __future__ import annotations

import os
import sys

import torch
from torch import nn
from torch.func import functional_call

from conslaw.verification.nn.count import _unit_rows, module_map
from conslaw.verification.nn.laws import find_laws
from conslaw.verification.nn.laws.inventory import law_gradients
from conslaw.verification.numeric.random_trace import left_normed

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from gpt_block import GPT  # noqa: E402


def torch_map(model: nn.Module, inputs: torch.Tensor):
    """The model's centred logits as a function of θ, through torch's own kernels (no composite formulas)."""
    theta, names, _ = module_map(model, inputs)
    shapes = [p.shape for p in model.parameters()]

    def g(t):
        params = {n: p.reshape(s) for n, p, s in zip(names, torch.split(t, [s.numel() for s in shapes]), shapes)}
        out = functional_call(model, params, (inputs,))
        return (out - out.mean(-1, keepdim=True)).reshape(-1)

    return theta, names, g


def main() -> None:
    torch.manual_seed(0)
    model = GPT().double().train()
    x = torch.randint(0, 20, (16, 6), generator=torch.Generator().manual_seed(0))
    inv = find_laws(model, example_inputs=(x,))
    print(f"torch {torch.__version__}; GPT-2 block of tests/gpt_block.py, {len(x)} sequences, float64")
    for label, build in (("torch's fused layer_norm", torch_map), ("composite formula (module_map)", module_map)):
        theta, names, g = build(model, x)
        unit = _unit_rows(law_gradients(inv.groups, model, names, theta))
        coeffs = torch.randn((6, 3, g(theta).shape[0]), generator=torch.Generator().manual_seed(5),
                             dtype=torch.float64)
        cos = (_unit_rows(torch.func.vmap(lambda a: left_normed(g, a)(theta))(coeffs)) @ unit.T).abs().amax(0)
        start, worst = 0, 0.0
        for group in inv.groups:
            if group.kind == "norm_rescale":
                worst = max(worst, float(cos[start:start + group.count].max()))
            start += group.count
        print(f"  LayerNorm laws against depth-2 brackets, {label}: largest |cos| = {worst:.1e}")
    net = nn.Sequential(nn.Linear(3, 4), nn.Hardsigmoid(), nn.Linear(4, 2)).double()
    inputs = torch.randn(5, 3, dtype=torch.float64)
    for label, build in (("torch's kernel", torch_map), ("composite formula (module_map)", module_map)):
        theta, _, g = build(net, inputs)
        a = torch.randn(2, g(theta).shape[0], dtype=torch.float64)
        try:
            left_normed(g, a)(theta)
            print(f"  hardsigmoid bracket, {label}: computed")
        except (NotImplementedError, RuntimeError) as exc:
            print(f"  hardsigmoid bracket, {label}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")


if __name__ == "__main__":
    main()
