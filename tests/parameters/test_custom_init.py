import contextlib
import io

import pytest
import torch
from torch import nn

SNIPPET = "parameters/custom_init.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def _zero_or_between_5_and_10(w):
    a = w.detach().abs()
    return bool(((a == 0) | ((a >= 5) & (a <= 10))).all())


def test_weights_are_zero_or_between_5_and_10(net):
    assert _zero_or_between_5_and_10(net[0].weight)
    assert _zero_or_between_5_and_10(net[2].weight)


def test_about_half_the_weights_are_zeroed_on_a_large_layer(ns):
    torch.manual_seed(1)
    layer = nn.Linear(200, 500)
    with contextlib.redirect_stdout(io.StringIO()):
        layer.apply(ns["my_init"])
    assert _zero_or_between_5_and_10(layer.weight)
    zero = (layer.weight == 0).float().mean().item()
    assert 0.48 < zero < 0.52  # P(|U(-10, 10)| < 5) = 0.5


def test_my_init_prints_the_weight_name_and_shape_of_each_linear(net, out):
    lines = out.splitlines()
    assert lines[:2] == ["Init weight torch.Size([8, 4])", "Init weight torch.Size([1, 8])"]
    assert "\n".join(lines[2:]) == repr(net[0].weight[:2])
