"""A second batch of the same kind as the example inputs, so that a law of these inputs alone (an embedding row no
token uses, a channel the batch never excites) is told apart from a law of the model."""
from __future__ import annotations

import torch
from torch import nn


def other_batch(model: nn.Module, inputs: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Inputs of the same shape and dtype drawn afresh (seeded): floating inputs entrywise N(mean, std²) of the
    given ones (std 1 if they are constant); integer inputs (token ids) uniform over the vocabulary — the smallest
    ``num_embeddings`` of the model's ``nn.Embedding`` layers, else 0…max(inputs); booleans at random."""
    gen = torch.Generator().manual_seed(seed + 7919)
    if inputs.is_floating_point():
        std = float(inputs.std()) if inputs.numel() > 1 else 0.0
        fresh = torch.randn(inputs.shape, generator=gen, dtype=inputs.dtype)
        return (fresh * (std or 1.0) + float(inputs.mean())).to(inputs.device)
    if inputs.dtype == torch.bool:
        return (torch.rand(inputs.shape, generator=gen) < 0.5).to(inputs.device)
    vocab = [m.num_embeddings for m in model.modules() if isinstance(m, nn.Embedding)]
    high = min(vocab) if vocab else int(inputs.max()) + 1
    return torch.randint(0, max(high, 1), inputs.shape, generator=gen, dtype=inputs.dtype).to(inputs.device)
