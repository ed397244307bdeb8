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


def softmax_model(n: int, classes: int, bias: bool = False):
    """The cross-entropy loss of the classification layer z ↦ softmax(W z + b) (eq. 20) on one sample, the sample
    packed as s = (z, y) ∈ R^{n+K}: g(θ, s) = log Σ_k e^{u_k} − ⟨y, u⟩, u = W z + b; θ = (W row-major, b)."""
    K = classes
    dim = K * n + (K if bias else 0)

    def g(theta: torch.Tensor, sample: torch.Tensor) -> torch.Tensor:
        z, y = sample[:n], sample[n:]
        u = theta[:K * n].reshape(K, n) @ z
        if bias:
            u = u + theta[K * n:]
        return torch.logsumexp(u, 0) - (y * u).sum()

    return g, dim


def transformer_model(d: int, dk: int, dv: int, heads: int, hidden: int, layers: int = 1):
    """Residual stream X ∈ R^{N×d}: X ← X + MHA_l(X); X ← X + V_l σ(U_l X) (token-wise), l = 1..layers (Example 4.2).

    Returns (g, D, blocks) with ``blocks`` mapping "attention1", "mlp1", … to the
    indices of their parameters in θ (attention: Q, K, V, O per head; MLP:
    U ∈ R^{r×d} then V ∈ R^{d×r}).
    """
    attn, att_D = attention_model(d, dk, dv, heads)
    mlp_D = 2 * d * hidden
    blocks, offset = {}, 0
    for l in range(1, layers + 1):
        blocks[f"attention{l}"] = list(range(offset, offset + att_D))
        offset += att_D
        blocks[f"mlp{l}"] = list(range(offset, offset + mlp_D))
        offset += mlp_D

    def g(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        for l in range(1, layers + 1):
            a = blocks[f"attention{l}"]
            X = X + attn(theta[a[0]:a[-1] + 1], X).reshape(X.shape)
            m = blocks[f"mlp{l}"]
            U = theta[m[0]:m[0] + d * hidden].reshape(hidden, d)
            V = theta[m[0] + d * hidden:m[-1] + 1].reshape(d, hidden)
            X = X + torch.relu(X @ U.T) @ V.T
        return X.reshape(-1)

    return g, offset, blocks
