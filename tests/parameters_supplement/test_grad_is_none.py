
SNIPPET = "parameters_supplement/grad_is_none.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_no_grad_before_backward_then_one_of_the_parameters_shape(ns, out):
    assert out.splitlines() == ["True", "True"]
    assert ns["net"][2].weight.grad.shape == (1, 8)
