import pytest
import torch

SNIPPET = "tied_gradients/shared_grad_is_sum.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


@pytest.fixture(scope="module")
def untied(ns):
    return ns["untied"]


def test_both_positions_hold_the_very_same_grad_tensor(net, out):
    assert net[2] is net[4]
    assert net[2].weight.grad is net[4].weight.grad
    assert out.splitlines()[0] == "True"


def test_untied_copy_has_two_independent_layers_with_equal_weights(untied):
    assert untied[2] is not untied[4]
    assert torch.equal(untied[2].weight, untied[4].weight)
    assert not torch.equal(untied[2].weight.grad, untied[4].weight.grad)


def test_tied_grad_is_the_sum_of_the_two_untied_grads(net, out, untied):
    summed = untied[2].weight.grad + untied[4].weight.grad
    assert torch.allclose(net[2].weight.grad, summed, atol=1e-7)
    assert torch.allclose(net[2].bias.grad, untied[2].bias.grad + untied[4].bias.grad, atol=1e-7)
    assert not torch.allclose(net[2].weight.grad, untied[4].weight.grad)  # not just one use
    assert out.splitlines()[2] == repr((net[2].weight.grad - summed).abs().max())
