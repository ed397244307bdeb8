"""A model factory for the golden output of ``conslaw count --module`` (FACTORY() returns (model, inputs))."""
import torch
from torch import nn


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)).double(), torch.randn(30, 3).double()
