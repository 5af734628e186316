import torch

SNIPPET = "parameters_supplement/init_constant.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_weights_one_bias_zero(ns, out):
    net = ns["net"]
    for layer in (net[0], net[2]):
        assert torch.all(layer.weight == 1) and torch.all(layer.bias == 0)
    assert out == "tensor([1., 1., 1., 1.]) tensor(0.)\n"
