import torch

SNIPPET = "tied_gradients/copy_is_not_tying.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_copied_values_are_two_objects_that_drift_apart(ns, out):
    a, b = ns["a"], ns["b"]
    assert a is not b and a.weight is not b.weight
    assert not torch.equal(a.weight, b.weight)
    lines = out.splitlines()
    assert lines[0] == "True False"   # equal values, different objects, before training
    assert lines[1] == "False"        # after one SGD step
    assert (a.weight - b.weight).abs().max() > 0


def test_the_two_copies_drift_because_each_gets_its_own_gradient(ns, out):
    """What the page shows after one step: two parameters, two gradients, the printed gap."""
    a, b = ns["a"], ns["b"]
    assert a.weight.grad is not None and b.weight.grad is not None
    assert not torch.equal(a.weight.grad, b.weight.grad)
    gap = (a.weight - b.weight).detach().abs().max()
    assert out.splitlines()[2] == str(gap) and gap > 0
