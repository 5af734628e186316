import pytest

SNIPPET = "parameters/tied_1d.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_untied_sgd_step_gives_w1_18_and_w2_17(lines):
    # w2 gets dL/dw2 = h = 3, w1 gets dL/dw1 = w2 * x = 2; lr = 0.1
    w1, w2 = (float(v) for v in lines[0].replace("tensor([[", "").replace("]])", "").split())
    assert (w1, w2) == (pytest.approx(1.8), pytest.approx(1.7))


def test_tied_sgd_step_gives_w_15_and_b_07(lines, ns):
    net = ns["net"]
    assert net[0] is net[1]
    assert net[0].linear1.weight.item() == pytest.approx(1.5)
    assert net[0].linear1.bias.item() == pytest.approx(0.7)
    assert lines[1] == "tensor([[1.5000]]) tensor([0.7000])"


def test_tied_gradient_is_the_sum_of_both_uses(ns):
    layer = ns["net"][0].linear1
    assert layer.weight.grad.item() == pytest.approx(3 + 2)
    assert layer.bias.grad.item() == pytest.approx(1 + 2)


def test_tied_net_has_one_weight_and_one_bias(ns):
    assert len(list(ns["net"].parameters())) == 2
