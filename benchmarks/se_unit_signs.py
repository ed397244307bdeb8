"""How many hidden ReLU units of the squeeze-excitation gates keep one sign on every input of the count.

    python benchmarks/se_unit_signs.py

The MobileNetV3 blocks and the 32 inputs of benchmarks/report_module_counts.py (seed 0): for each gate's fc1,
the units never active (dead) or always active on those inputs.  Such units make the gate partly linear on
these inputs, which adds laws of the inputs rather than of the model.
"""
from __future__ import annotations

import torch
from report_module_counts import targets


def main() -> None:
    make, x = targets(1)["MobileNetV3 blocks (8 channels)"]
    torch.manual_seed(0)
    model = make().double().train()
    seen = {}
    for name, module in model.named_modules():
        if name.endswith("fc1"):
            module.register_forward_hook(lambda m, a, out, n=name: seen.__setitem__(n, out.detach().flatten(1)))
    with torch.no_grad():
        model(x)
    for name, out in seen.items():
        active = (out > 0).double().mean(0)
        print(f"{name}: {int((active == 0).sum())} dead and {int((active == 1).sum())} always active of "
              f"{out.shape[1]} units on {len(x)} inputs")


if __name__ == "__main__":
    main()
