import torch

SNIPPET = "tied_gradients/step_once.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_optimizer_holds_each_shared_parameter_once(ns):
    params = ns["optimizer"].param_groups[0]["params"]
    assert len(params) == 6  # 3 distinct Linear layers x (weight, bias)
    assert sum(p is ns["shared"].weight for p in params) == 1


def test_one_step_with_the_summed_gradient(ns, out):
    assert torch.allclose(ns["after"], ns["before"] - 0.1 * ns["grad"])
    assert not torch.allclose(ns["after"], ns["before"] - 0.2 * ns["grad"])
    assert out.splitlines() == ["6", "True", "False"]
