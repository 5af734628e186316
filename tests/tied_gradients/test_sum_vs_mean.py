import torch

SNIPPET = "tied_gradients/sum_vs_mean.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_contributions_are_summed_not_averaged(ns, out):
    assert out.splitlines()[0] == "True False"
    g1, g2 = ns["g1"], ns["g2"]
    assert torch.allclose(ns["g"], g1 + g2)
    assert not torch.allclose(ns["g"], (g1 + g2) / 2)


def test_mean_vs_sum_loss_scales_by_batch_size_only(ns, out):
    """The page's claim, checked on the snippet's own network and batch, not on its printed flag."""
    assert out.splitlines()[1] == "True"
    net, X = ns["net"], ns["X"]
    grads = []
    for loss in (lambda y: y.mean(), lambda y: y.sum()):
        net.zero_grad()
        loss(net(X)).backward()
        grads.append(net[2].weight.grad.clone())
    mean_grad, sum_grad = grads
    assert torch.allclose(sum_grad, len(X) * mean_grad) and not torch.allclose(sum_grad, mean_grad)
    assert torch.allclose(mean_grad, ns["g"])  # the tied gradient the first line is about
