import torch

from helpers import run_snippet

ns, out = run_snippet("tied_gradients/copy_is_not_tying.py")


def test_copied_values_are_two_objects_that_drift_apart():
    a, b = ns["a"], ns["b"]
    assert a is not b and a.weight is not b.weight
    assert not torch.equal(a.weight, b.weight)
    lines = out.splitlines()
    assert lines[0] == "True False"   # equal values, different objects, before training
    assert lines[1] == "False"        # after one SGD step
    assert (a.weight - b.weight).abs().max() > 0


def test_data_copy_is_not_tying_either():
    a = torch.nn.Linear(8, 8)
    c = torch.nn.Linear(8, 8)
    c.weight.data.copy_(a.weight.data)
    assert torch.equal(a.weight, c.weight) and a.weight is not c.weight
    with torch.no_grad():
        a.weight[0, 0] += 1
    assert not torch.equal(a.weight, c.weight)
