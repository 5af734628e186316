from helpers import run_snippet

ns, out = run_snippet("parameters_supplement/grad_is_none.py")


def test_no_grad_before_backward_then_one_of_the_parameters_shape():
    assert out.splitlines() == ["True", "True"]
    assert ns["net"][2].weight.grad.shape == (1, 8)
