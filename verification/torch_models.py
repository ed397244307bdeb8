"""Small PyTorch models written as g(θ, x) with a flat parameter vector θ (for model-based fields).

The flat layout matches the exact architectures' parameter names, so that a
count from the model's own gradients can be put beside the count from φ.
"""
from __future__ import annotations

import torch


def attention_model(d: int, dk: int, dv: int, heads: int = 1):
    """Y = Σ_h softmax(X Q_h K_hᵀ Xᵀ) X V_h O_hᵀ for X ∈ R^{N×d} (eq. 19); θ = (Q_1, K_1, V_1, O_1, Q_2, …) row-major."""
    sizes = [d * dk, d * dk, d * dv, d * dv]
    per_head = sum(sizes)

    def g(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        out = 0
        for h in range(heads):
            Q, K, V, O = torch.split(theta[h * per_head:(h + 1) * per_head], sizes)
            Q, K = Q.reshape(d, dk), K.reshape(d, dk)
            V, O = V.reshape(d, dv), O.reshape(d, dv)
            A = torch.softmax(X @ Q @ K.T @ X.T, dim=-1)
            out = out + A @ X @ V @ O.T
        return out.reshape(-1)

    return g, heads * per_head
