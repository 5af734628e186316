import math

import torch
from torch import nn

from helpers import run_snippet

ns, out = run_snippet("parameters/builtin_init.py")
net = ns["net"]
lines = out.splitlines()


def test_init_normal_zero_bias_and_std_001_on_a_large_layer():
    torch.manual_seed(1)
    layer = nn.Linear(1000, 1000)
    layer.apply(ns["init_normal"])
    w = layer.weight.detach()
    # 10^6 samples: the sample std is within 0.1 % of 0.01 with overwhelming
    # probability; 2 % tolerance still rejects std=0.0098 or 0.0102.
    assert abs(w.std().item() - 0.01) < 0.01 * 0.02
    assert abs(w.mean().item()) < 1e-4
    assert torch.count_nonzero(layer.bias) == 0


def test_init_normal_printed_first_row_and_zero_bias():
    assert lines[0].endswith("tensor(0.)")
    assert torch.count_nonzero(net[0].bias) == 0 and torch.count_nonzero(net[2].bias) == 0


def test_xavier_values_are_within_the_bound():
    w = net[0].weight.detach()
    bound = math.sqrt(6 / (4 + 8))
    assert w.abs().max() <= bound
    torch.manual_seed(1)
    big = nn.Linear(300, 500)
    big.apply(ns["init_xavier"])
    big_bound = math.sqrt(6 / (300 + 500))
    assert big.weight.abs().max() <= big_bound
    assert big.weight.abs().max() > 0.99 * big_bound  # it really is uniform on the whole range
    assert lines[1] == repr(w[0])


def test_constant_42_on_the_output_layer():
    assert torch.all(net[2].weight == 42)
    assert lines[2] == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"


def test_apply_reaches_only_linear_layers():
    seen = []
    net.apply(lambda m: seen.append(type(m)))
    assert seen == [nn.Linear, nn.ReLU, nn.Linear, nn.Sequential]  # children first, then net
