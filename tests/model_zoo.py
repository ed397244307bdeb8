"""A zoo of models written as researchers write them (issue 23), at small widths in float64: each factory returns
(model, inputs).  Classification outputs are (batch, classes); language models return (batch·tokens, vocab)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from conslaw.verification.nn.zoo import InvertedResidual, resnet18, vgg11


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class TimmAttention(nn.Module):
    """timm's ViT attention: one fused qkv Linear, reshape/permute, unbind."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        att = (q @ k.transpose(-2, -1)) * self.hd ** -0.5
        x = att.softmax(dim=-1) @ v
        return self.proj(x.transpose(1, 2).reshape(B, N, C))


class TimmBlock(nn.Module):
    def __init__(self, dim: int, heads: int, hidden: int):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), TimmAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    """timm-style ViT: conv patch embedding, class token, position embedding, pre-norm blocks, final norm, head."""

    def __init__(self, img=8, patch=4, dim=8, heads=2, hidden=8, depth=1, classes=3):
        super().__init__()
        n = (img // patch) ** 2
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, dim))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, n + 1, dim))
        self.blocks = nn.Sequential(*[TimmBlock(dim, heads, hidden) for _ in range(depth)])
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 0])


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim)
        self.pwconv1, self.pwconv2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(1e-1 * torch.ones(dim))

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        return x + y.permute(0, 3, 1, 2)


class ConvNeXt(nn.Module):
    def __init__(self, dim=4, classes=3):
        super().__init__()
        self.stem = nn.Conv2d(3, dim, 2, 2)
        self.block = ConvNeXtBlock(dim)
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.norm(self.block(self.stem(x)).mean((-2, -1))))


class MixerBlock(nn.Module):
    def __init__(self, tokens: int, dim: int, tok_hidden: int, ch_hidden: int):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.tok1, self.tok2 = nn.Linear(tokens, tok_hidden), nn.Linear(tok_hidden, tokens)
        self.ch1, self.ch2 = nn.Linear(dim, ch_hidden), nn.Linear(ch_hidden, dim)

    def forward(self, x):
        y = self.norm1(x).transpose(1, 2)
        x = x + self.tok2(F.gelu(self.tok1(y))).transpose(1, 2)
        return x + self.ch2(F.gelu(self.ch1(self.norm2(x))))


class Mixer(nn.Module):
    def __init__(self, img=8, patch=4, dim=4, classes=3):
        super().__init__()
        n = (img // patch) ** 2
        self.stem = nn.Conv2d(3, dim, patch, patch)
        self.block = MixerBlock(n, dim, 3, 6)
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        x = self.block(self.stem(x).flatten(2).transpose(1, 2))
        return self.head(self.norm(x).mean(1))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps, self.weight = eps, nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


def rope(x, base: float = 10000.0):
    """Rotary position embedding on (B, H, T, hd): pairs (2i, 2i+1) rotated by t·base^(−2i/hd)."""
    T, hd = x.shape[-2], x.shape[-1]
    freqs = base ** (-torch.arange(0, hd, 2, dtype=x.dtype) / hd)
    ang = torch.arange(T, dtype=x.dtype)[:, None] * freqs[None]
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)


class LlamaBlock(nn.Module):
    def __init__(self, dim=8, heads=4, kv_heads=2, hidden=6):
        super().__init__()
        self.h, self.kv, self.hd = heads, kv_heads, dim // heads
        self.attention_norm, self.ffn_norm = RMSNorm(dim), RMSNorm(dim)
        self.wq = nn.Linear(dim, heads * self.hd, bias=False)
        self.wk = nn.Linear(dim, kv_heads * self.hd, bias=False)
        self.wv = nn.Linear(dim, kv_heads * self.hd, bias=False)
        self.wo = nn.Linear(heads * self.hd, dim, bias=False)
        self.w1, self.w3 = nn.Linear(dim, hidden, bias=False), nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        B, T, _ = x.shape
        h = self.attention_norm(x)
        q = rope(self.wq(h).view(B, T, self.h, self.hd).transpose(1, 2))
        k = rope(self.wk(h).view(B, T, self.kv, self.hd).transpose(1, 2))
        v = self.wv(h).view(B, T, self.kv, self.hd).transpose(1, 2)
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        mask = torch.full((T, T), float("-inf"), dtype=x.dtype).triu(1)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.hd) + mask, dim=-1)
        x = x + self.wo((att @ v).transpose(1, 2).reshape(B, T, -1))
        return x + self.w2(F.silu(self.w1(self.ffn_norm(x))) * self.w3(self.ffn_norm(x)))


class Llama(nn.Module):
    def __init__(self, vocab=11, dim=8):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.layer = LlamaBlock(dim)
        self.norm, self.output = RMSNorm(dim), nn.Linear(dim, vocab, bias=False)

    def forward(self, t):
        return self.output(self.norm(self.layer(self.tok_embeddings(t)))).reshape(-1, self.output.out_features)


class UNet(nn.Module):
    def __init__(self, c=2, classes=3):
        super().__init__()
        self.enc = nn.Conv2d(3, c, 3, padding=1)
        self.down = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec = nn.Conv2d(2 * c, c, 3, padding=1)
        self.out = nn.Conv2d(c, classes, 1)

    def forward(self, x):
        e = F.relu(self.enc(x))
        u = F.relu(self.up(F.relu(self.down(e))))
        return self.out(F.relu(self.dec(torch.cat([u, e], dim=1))))


class RNNClassifier(nn.Module):
    def __init__(self, cell: str = "lstm", vocab=7, dim=3, hidden=3, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(dim, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, t):
        out, _ = self.rnn(self.emb(t))
        return self.fc(out[:, -1])


class GPTBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.c_attn, self.c_proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.c_fc, self.mlp_proj = nn.Linear(dim, 2 * dim), nn.Linear(2 * dim, dim)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class TiedGPT(nn.Module):
    def __init__(self, vocab=11, block=5, dim=6, heads=2):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, dim), nn.Embedding(block, dim)
        self.h = GPTBlock(dim, heads)
        self.ln_f = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        return self.lm_head(self.ln_f(self.h(x))).reshape(-1, self.wte.num_embeddings)


class LoRALinear(nn.Module):
    def __init__(self, fin: int, fout: int, r: int):
        super().__init__()
        self.base = nn.Linear(fin, fout)
        self.base.requires_grad_(False)
        self.lora_A = nn.Parameter(0.3 * torch.randn(r, fin))
        self.lora_B = nn.Parameter(0.3 * torch.randn(fout, r))

    def forward(self, x):
        return self.base(x) + x @ self.lora_A.T @ self.lora_B.T


class LoRAMLP(nn.Module):
    def __init__(self, d=5, hidden=6, r=2, classes=3):
        super().__init__()
        self.fc1, self.fc2 = LoRALinear(d, hidden, r), LoRALinear(hidden, classes, r)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class MoE(nn.Module):
    """A soft mixture of experts: a softmax router weighs every expert MLP; a shared head."""

    def __init__(self, d=4, experts=3, hidden=3, classes=3):
        super().__init__()
        self.router = nn.Linear(d, experts)
        self.experts = nn.ModuleList([nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, d))
                                      for _ in range(experts)])
        self.head = nn.Linear(d, classes)

    def forward(self, x):
        gate = torch.softmax(self.router(x), dim=-1)
        y = sum(gate[:, e:e + 1] * expert(x) for e, expert in enumerate(self.experts))
        return self.head(y)


class Encoder(nn.Module):
    def __init__(self, vocab=9, dim=4, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        layer = nn.TransformerEncoderLayer(dim, 2, 6, dropout=0.0, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(dim, classes)

    def forward(self, t):
        return self.head(self.enc(self.emb(t)).mean(1))


def _mobilenet(c: int = 4):
    """MobileNetV3-Small's stem, three of its block kinds (ReLU + SE, ReLU, hardswish + SE) and head, ``c``
    channels (expansions 2c)."""
    return nn.Sequential(nn.Conv2d(3, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.Hardswish(),
                         InvertedResidual(c, 3, c, c, True, "RE", 2), InvertedResidual(c, 3, 2 * c, c, False, "RE", 1),
                         InvertedResidual(c, 5, 2 * c, c, True, "HS", 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(c, 3))


def _he_init(model: nn.Module) -> nn.Module:
    """The initialisation torchvision gives VGG and ResNet convolutions (He et al. 2015: kaiming normal, fan_out,
    ReLU gain) with zero biases, and He's fan_in initialisation for the linear layers.  At PyTorch's default
    initialisation (uniform, biases included) a width-1 VGG-11 is mostly dead — 1,673 of its 2,554 coordinates
    moved by no field on 16 images — and the trace of the rest has no gap at any tolerance."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
            nn.init.zeros_(m.bias)
    return model


def _images(n, size, seed=0):
    return torch.randn(n, 3, size, size, generator=_gen(seed), dtype=torch.float64)


def _tokens(n, t, vocab, seed=0):
    return torch.randint(0, vocab, (n, t), generator=_gen(seed))


def _build(factory, inputs):
    """The model in float64, seeded, its layer and RMS norms at eps 0: the idealised layers whose scale invariance
    gives laws (as the count takes batch norms; with eps > 0 those laws are broken by up to 1e-2 relative and the
    count sees near-laws)."""
    def make():
        torch.manual_seed(0)
        model = factory().double()
        for m in model.modules():
            if isinstance(m, (nn.LayerNorm, RMSNorm)) or type(m).__name__ == "RMSNorm":
                m.eps = 0.0
        return model, inputs
    return make


ZOO = {
    "ViT (timm-style)": _build(ViT, _images(32, 8)),
    "ConvNeXt block": _build(ConvNeXt, _images(32, 8)),
    "MLP-Mixer": _build(Mixer, _images(32, 8)),
    "LLaMA block": _build(Llama, _tokens(16, 5, 11)),
    "U-Net": _build(UNet, _images(8, 8)),
    "LSTM": _build(lambda: RNNClassifier("lstm"), _tokens(16, 4, 7)),
    "GRU": _build(lambda: RNNClassifier("gru"), _tokens(16, 4, 7)),
    "GPT (tied)": _build(TiedGPT, _tokens(16, 5, 11)),
    "LoRA": _build(LoRAMLP, torch.randn(16, 5, generator=_gen(), dtype=torch.float64)),
    "MoE": _build(MoE, torch.randn(16, 4, generator=_gen(), dtype=torch.float64)),
    # ten classes (CIFAR-10's): nine loss directions per input, so that the brackets of depth 1 span the Lie
    # algebra of these deep narrow nets and the count ends within a minute
    "ResNet-18 (width 1)": _build(lambda: resnet18(1, num_classes=10), _images(8, 16)),
    "VGG-11 (width 1)": _build(lambda: _he_init(vgg11(1, num_classes=10, hidden=8)), _images(16, 32)),
    "MobileNetV3-Small blocks": _build(_mobilenet, _images(16, 16)),
    "nn.TransformerEncoder": _build(Encoder, _tokens(32, 5, 9)),
}
