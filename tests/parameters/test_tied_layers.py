import pytest
import torch

SNIPPET = "parameters/tied_layers.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_shared_layer_is_one_object(net, ns):
    assert net[2] is net[4] is ns["shared"]
    assert net[2].weight is net[4].weight


def test_edit_through_one_position_shows_in_the_other(net):
    assert net[4].weight[0, 0].item() == 100
    assert torch.equal(net[2].weight, net[4].weight)


def test_both_checks_print_all_true(out):
    assert out.splitlines() == [repr(torch.ones(8, dtype=torch.bool))] * 2
