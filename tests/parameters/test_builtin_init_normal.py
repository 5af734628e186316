import pytest
import torch
from torch import nn

SNIPPET = "parameters/builtin_init_normal.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_init_normal_zero_bias_and_std_001_on_a_large_layer(ns):
    torch.manual_seed(1)
    layer = nn.Linear(1000, 1000)
    layer.apply(ns["init_normal"])
    w = layer.weight.detach()
    # 10^6 samples: the sample std is within 0.1 % of 0.01 with overwhelming
    # probability; 2 % tolerance still rejects std=0.0098 or 0.0102.
    assert abs(w.std().item() - 0.01) < 0.01 * 0.02
    assert abs(w.mean().item()) < 1e-4
    assert torch.count_nonzero(layer.bias) == 0


def test_every_linear_of_the_net_is_initialised(lines, net):
    assert torch.count_nonzero(net[0].bias) == 0 and torch.count_nonzero(net[2].bias) == 0
    assert net[0].weight.abs().max() < 0.01 * 6  # N(0, 0.01): nothing left of the default init
    assert lines == [f"{net[0].weight.data[0]!r} {net[0].bias.data[0]!r}"]
    assert lines[0].endswith("tensor(0.)")


def test_apply_visits_children_first_then_the_net(net):
    seen = []
    net.apply(lambda m: seen.append(type(m)))
    assert seen == [nn.Linear, nn.ReLU, nn.Linear, nn.Sequential]
