import torch

from helpers import run_snippet

ns, out = run_snippet("parameters_supplement/init_constant.py")


def test_weights_one_bias_zero():
    net = ns["net"]
    for layer in (net[0], net[2]):
        assert torch.all(layer.weight == 1) and torch.all(layer.bias == 0)
    assert out == "tensor([1., 1., 1., 1.]) tensor(0.)\n"
