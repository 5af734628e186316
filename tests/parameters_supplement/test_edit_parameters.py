import torch

from helpers import run_snippet

ns, out = run_snippet("parameters_supplement/edit_parameters.py")
lines = out.splitlines()


def test_both_ways_edit_the_values():
    w = ns["net"][0].weight
    assert w[0, 0] == 42
    assert lines[0].startswith("tensor([42.0000,") and lines[1].startswith("tensor([42.0000,")
    assert "grad_fn" not in lines[1]


def test_data_edit_gives_a_silently_wrong_gradient():
    assert lines[2] == "tensor([20., 20., 20.])"   # 2 * new value, not 2 * old value (2)
    assert not torch.equal(torch.tensor([20.0, 20.0, 20.0]), 2 * torch.ones(3))


def test_no_grad_edit_is_caught_by_autograd():
    assert lines[3] == ("RuntimeError: one of the variables needed for gradient computation "
                        "has been modified by an inplace operation")
