"""Check kind ``neural_mechanics`` (Kunin et al.): the broken dynamics of the symmetries' laws under SGD with
weight decay, against training (numerical evidence; torch is imported when the check runs)."""
from __future__ import annotations

from ..schema import Instance, Result, Verdict

NM_SETTINGS = {  # (training settings, largest gap allowed relative to the quantity's size)
    "sgd": ({"lr": 0.05, "weight_decay": 0.02, "steps": 120}, 3e-3),
    "momentum": ({"lr": 0.02, "momentum": 0.98, "weight_decay": 0.05, "steps": 300}, 2e-2),
}


def check_neural_mechanics(result: Result, inst: Instance, seed: int) -> dict:
    """Kunin et al.'s broken dynamics on a VGG-style network with batch norm (:mod:`neural_mechanics`): seeded
    synthetic images, SGD with weight decay (and, with the instance option ``optimizer = momentum``, heavy-ball
    momentum: the harmonic oscillators); every symmetry (translation, scale, rescale) must be found, move by more
    than 2 % of its size, and stay within the gap of :data:`NM_SETTINGS` of the closed form.  Numerical evidence,
    not a proof."""
    import torch

    from ...nn.neural_mechanics import (
        train_and_compare,
        train_momentum_and_compare,
        vgg_bn,
    )

    options = dict(inst.options)
    width, optimizer = options["width"], options.get("optimizer", "sgd")
    settings, tolerance = NM_SETTINGS[optimizer]
    torch.manual_seed(seed)
    model = vgg_bn(width=width, classes=5, hidden=4 * width)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(48, 1, 8, 8, dtype=torch.float64, generator=generator)
    y = torch.randint(0, 5, (48,), generator=generator)
    if optimizer == "momentum":
        compared = [c[:3] for c in train_momentum_and_compare(model, x, y, batch=12, seed=seed, **settings)]
    else:
        compared, _ = train_and_compare(model, x, y, batch=12, seed=seed, **settings)
    found = {s["symmetry"] for s, _, _ in compared}
    worst = max(compared, key=lambda c: c[2])
    record = {"instance": inst.label, "D": sum(p.numel() for p in model.parameters()), "symmetry_groups": len(compared),
              "largest_gap": float(f"{worst[2]:.3e}"), "smallest_move": float(f"{min(c[1] for c in compared):.3e}"),
              "tolerance": tolerance, "settings": settings,
              "groups": [{"symmetry": s["symmetry"], "modules": s["modules"], "moved": round(m, 4),
                          "gap": float(f"{g:.3e}")} for s, m, g in compared]}
    bad = [c for c in compared if c[1] <= 0.02 or c[2] >= tolerance]
    if found != {"translation", "scale", "rescale"}:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"symmetries found": sorted(found)}
    elif bad:
        s, moved, gap = bad[0]
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"symmetry": s["symmetry"], "modules": s["modules"], "moved": moved, "gap": gap}
    else:
        record["verdict"] = Verdict.HOLDS
    return record
