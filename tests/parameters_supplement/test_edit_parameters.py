import re

import pytest
import torch
from torch import nn

SNIPPET = "parameters_supplement/edit_parameters.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def values(line: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", line)]


def test_both_ways_edit_the_values(lines, ns):
    w = ns["net"][0].weight
    assert w[0, 0] == 42
    assert lines[0].startswith("tensor([42.0000,") and lines[1].startswith("tensor([42.0000,")
    assert "grad_fn" not in lines[1]


def test_the_no_grad_edit_changes_the_parameter_itself(lines, ns):
    """Each edit adds 1 and sets [0, 0]: after both, the weight is the initial one + 2 (42 at [0, 0]),
    and the printed row after the no_grad edit is one more than after the .data edit."""
    torch.manual_seed(0)
    expected = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))[0].weight.detach() + 2
    expected[0, 0] = 42
    assert torch.equal(ns["net"][0].weight.detach(), expected)
    first, second = values(lines[0]), values(lines[1])
    assert len(first) == len(second) == 4
    assert second[1:] == pytest.approx([v + 1 for v in first[1:]], abs=1e-4)


def test_data_edit_gives_a_silently_wrong_gradient(lines):
    assert lines[2] == "tensor([20., 20., 20.])"   # 2 * new value, not 2 * old value (2)
    assert not torch.equal(torch.tensor([20.0, 20.0, 20.0]), 2 * torch.ones(3))


def test_no_grad_edit_is_caught_by_autograd(lines):
    assert lines[3] == ("RuntimeError: one of the variables needed for gradient computation "
                        "has been modified by an inplace operation")
