import torch

from helpers import run_snippet

ns, out = run_snippet("tied_gradients/sum_vs_mean.py")


def test_contributions_are_summed_not_averaged():
    assert out.splitlines()[0] == "True False"
    g1, g2 = ns["g1"], ns["g2"]
    assert torch.allclose(ns["g"], g1 + g2)
    assert not torch.allclose(ns["g"], (g1 + g2) / 2)


def test_mean_vs_sum_loss_scales_by_batch_size_only():
    assert out.splitlines()[1] == "True"
    assert ns["X"].shape[0] == 2
