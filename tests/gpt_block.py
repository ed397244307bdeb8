"""A GPT-2-style block written by hand for the tests (separate q/k/v with biases, causal mask from x.shape)."""
import math

import torch
import torch.nn.functional as F
from torch import nn


class GPTBlock(nn.Module):
    """GPT-2 style: pre-norm, separate q/k/v with biases, causal mask, GELU MLP, residual."""
    def __init__(self, d=8, heads=2, max_len=16):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.register_buffer("mask", torch.tril(torch.ones(max_len, max_len)).bool())
    def forward(self, x):
        b, n, d = x.shape
        h = self.ln1(x)
        q = self.q(h).view(b, n, self.h, self.hd).transpose(1, 2)
        k = self.k(h).view(b, n, self.h, self.hd).transpose(1, 2)
        v = self.v(h).view(b, n, self.h, self.hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)
        att = att.masked_fill(~self.mask[:n, :n], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.o(y)
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))

class GPT(nn.Module):
    def __init__(self):
        super().__init__(); self.emb = nn.Embedding(20, 8); self.block = GPTBlock(); self.head = nn.Linear(8, 3)
    def forward(self, t): return self.head(self.block(self.emb(t)).mean(1))
