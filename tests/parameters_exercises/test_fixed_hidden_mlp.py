import pytest
import torch

SNIPPET = "parameters_exercises/fixed_hidden_mlp.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_only_the_linear_layer_has_parameters(lines, net):
    assert [n for n, _ in net.named_parameters()] == ["linear.weight", "linear.bias"]
    assert list(net.state_dict()) == ["linear.weight", "linear.bias"]
    assert not isinstance(net.rand_weight, torch.nn.Parameter)
    assert lines[:2] == ["[('linear.weight', (20, 20)), ('linear.bias', (20,))]",
                         "['linear.weight', 'linear.bias']"]


def test_rand_weight_is_unchanged_by_a_training_step(lines, net, ns):
    assert torch.equal(net.rand_weight, ns["fixed"])
    assert lines[2] == "True"


def test_the_reused_linear_gets_two_contributions(lines, net, ns):
    untied = ns["untied"]
    g1, g2 = untied.linear.weight.grad, untied.linear2.weight.grad
    assert torch.allclose(net.linear.weight.grad, g1 + g2, atol=1e-6)
    assert not torch.allclose(net.linear.weight.grad, g1, atol=1e-6)
    assert not torch.allclose(net.linear.weight.grad, g2, atol=1e-6)
    assert lines[3] == repr((net.linear.weight.grad - (g1 + g2)).abs().max())
