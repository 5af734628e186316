import math

import pytest
import torch
from torch import nn

SNIPPET = "parameters/builtin_init_per_layer.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_xavier_values_are_within_the_bound(lines, net):
    w = net[0].weight.detach()
    assert w.abs().max() <= math.sqrt(6 / (4 + 8))
    assert lines[0] == repr(w[0])


def test_xavier_fills_the_whole_range_on_a_large_layer(ns):
    torch.manual_seed(1)
    big = nn.Linear(300, 500)
    big.apply(ns["init_xavier"])
    bound = math.sqrt(6 / (300 + 500))
    assert big.weight.abs().max() <= bound
    assert big.weight.abs().max() > 0.99 * bound  # uniform on all of [-bound, bound]
    # Var(U(-a, a)) = a^2 / 3 = 2 / (fan_in + fan_out)
    assert abs(big.weight.var().item() - 2 / 800) < 0.02 * 2 / 800


def test_constant_42_on_the_output_layer_only(lines, net):
    assert torch.all(net[2].weight == 42)
    assert not torch.any(net[0].weight == 42)
    assert lines[1] == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"
