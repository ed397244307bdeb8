"""Networks built in the package for the law checker (torchvision may be absent).

* :func:`resnet18` — ResNet-18 layout (BasicBlocks [2, 2, 2, 2], conv–BN–ReLU), any width and input size;
* :class:`SelfAttention` — multi-head attention with separate Q, K, V, O linear maps (eq. 19);
* :class:`TransformerClassifier` — token embedding, residual attention and MLP blocks, mean pooling, linear head.
"""
from __future__ import annotations

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, blocks=(2, 2, 2, 2), width: int = 64, in_channels: int = 3, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        layers, cin = [], width
        for i, n in enumerate(blocks):
            cout = width * 2 ** i
            for b in range(n):
                layers.append(BasicBlock(cin, cout, 2 if (b == 0 and i > 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.layers(self.relu(self.bn1(self.conv1(x)))))))


def resnet18(width: int = 64, in_channels: int = 3, num_classes: int = 10) -> ResNet:
    """ResNet-18 (He et al. 2016, CIFAR variant: 3×3 stem); ``width`` 64 is the standard size."""
    return ResNet((2, 2, 2, 2), width, in_channels, num_classes)


def vgg11(width: int = 64, in_channels: int = 3, num_classes: int = 10, hidden: int = 4096) -> nn.Sequential:
    """VGG-11 (Simonyan & Zisserman 2015, configuration A: 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M),
    channel counts scaled by ``width``/64, then adaptive average pooling to 1×1 and the classifier
    Linear → ReLU → Dropout → Linear → ReLU → Dropout → Linear of ``hidden`` units."""
    layers: list[nn.Module] = []
    c = in_channels
    for v in (1, "M", 2, "M", 4, 4, "M", 8, 8, "M", 8, 8, "M"):
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, v * width, 3, padding=1), nn.ReLU()]
            c = v * width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(c, hidden), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.5), nn.Linear(hidden, num_classes))


def _divisible(v: float, divisor: int = 8) -> int:
    """Channels rounded to a multiple of 8, never below 90 % of v (as in MobileNet)."""
    out = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return out + divisor if out < 0.9 * v else out


class SqueezeExcitation(nn.Module):
    """x · hardsigmoid(fc2(relu(fc1(avgpool(x))))) (Hu et al. 2018; MobileNetV3's gate)."""

    def __init__(self, channels: int, squeeze: int):
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(channels, squeeze, 1), nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        gate = nn.functional.hardsigmoid(self.fc2(nn.functional.relu(self.fc1(nn.functional.adaptive_avg_pool2d(x, 1)))))
        return x * gate


class InvertedResidual(nn.Module):
    """MobileNetV3 block: [1×1 expand → BN → act] → depthwise k×k → BN → act → [SE] → 1×1 project → BN (+ x)."""

    def __init__(self, cin: int, k: int, exp: int, cout: int, se: bool, act: str, stride: int):
        super().__init__()
        Act = nn.ReLU if act == "RE" else nn.Hardswish
        layers: list[nn.Module] = []
        if exp != cin:
            layers += [nn.Conv2d(cin, exp, 1, bias=False), nn.BatchNorm2d(exp), Act()]
        layers += [nn.Conv2d(exp, exp, k, stride, k // 2, groups=exp, bias=False), nn.BatchNorm2d(exp), Act()]
        if se:
            layers.append(SqueezeExcitation(exp, _divisible(exp // 4)))
        layers += [nn.Conv2d(exp, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        out = self.block(x)
        return out + x if self.residual else out


MOBILENET_V3_SMALL = [  # (in, kernel, expanded, out, squeeze-excitation, activation, stride), Howard et al. 2019
    (16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2), (24, 3, 88, 24, False, "RE", 1),
    (24, 5, 96, 40, True, "HS", 2), (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1), (48, 5, 288, 96, True, "HS", 2),
    (96, 5, 576, 96, True, "HS", 1), (96, 5, 576, 96, True, "HS", 1),
]


def mobilenet_v3_small(num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0) -> nn.Sequential:
    """MobileNetV3-Small (the torchvision layout, without pretrained weights): stem, 11 inverted residual
    blocks, 1×1 conv to 576 channels, pooling and the classifier 576 → 1024 → classes (hardswish, dropout).
    ``width_mult`` scales every channel count as torchvision's does (rounded to multiples of 8, at least 8)."""
    def c(v: int) -> int:
        return _divisible(v * width_mult) if width_mult != 1.0 else v

    stem, last, head = c(16), c(96), c(1024)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.Hardswish()]
    layers += [InvertedResidual(c(cin), k, c(exp), c(cout), se, act, stride)
               for cin, k, exp, cout, se, act, stride in MOBILENET_V3_SMALL]
    layers += [nn.Conv2d(last, 6 * last, 1, bias=False), nn.BatchNorm2d(6 * last), nn.Hardswish(),
               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6 * last, head), nn.Hardswish(), nn.Dropout(0.2),
               nn.Linear(head, num_classes)]
    return nn.Sequential(*layers)


class SelfAttention(nn.Module):
    """Y = Σ_h softmax(X Q_h K_hᵀ Xᵀ) X V_h O_hᵀ with separate maps (no biases), eq. (19)."""

    def __init__(self, d: int, heads: int, dk: int, dv: int):
        super().__init__()
        self.heads, self.dk, self.dv = heads, dk, dv
        self.q = nn.Linear(d, heads * dk, bias=False)
        self.k = nn.Linear(d, heads * dk, bias=False)
        self.v = nn.Linear(d, heads * dv, bias=False)
        self.o = nn.Linear(heads * dv, d, bias=False)

    def forward(self, x):  # x: (batch, tokens, d)
        b, n, _ = x.shape
        q = self.q(x).view(b, n, self.heads, self.dk).transpose(1, 2)
        k = self.k(x).view(b, n, self.heads, self.dk).transpose(1, 2)
        v = self.v(x).view(b, n, self.heads, self.dv).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return self.o((att @ v).transpose(1, 2).reshape(b, n, self.heads * self.dv))


class MLPBlock(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TransformerClassifier(nn.Module):
    """Embedding, ``layers`` × (x + attention(x), x + MLP(x)), mean over tokens, linear head."""

    def __init__(self, vocab: int, d: int, heads: int, dk: int, dv: int, hidden: int, layers: int, classes: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.attn = nn.ModuleList([SelfAttention(d, heads, dk, dv) for _ in range(layers)])
        self.mlp = nn.ModuleList([MLPBlock(d, hidden) for _ in range(layers)])
        self.head = nn.Linear(d, classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for attn, mlp in zip(self.attn, self.mlp):
            x = x + attn(x)
            x = x + mlp(x)
        return self.head(x.mean(dim=1))
