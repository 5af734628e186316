from torch import nn

from helpers import run_snippet

SNIPPET = "parameters/mlp.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_network_is_linear_relu_linear(ns):
    net = ns["net"]
    assert [type(m) for m in net] == [nn.Linear, nn.ReLU, nn.Linear]
    assert (net[0].in_features, net[0].out_features) == (4, 8)
    assert (net[2].in_features, net[2].out_features) == (8, 1)


def test_forward_gives_one_output_per_example(ns, out):
    assert ns["X"].shape == (2, 4)
    y = ns["net"](ns["X"])
    assert y.shape == (2, 1)
    assert out == f"{y!r}\n"


def test_seeded_output_is_the_same_on_every_run(out):
    assert run_snippet(SNIPPET)[1] == out
