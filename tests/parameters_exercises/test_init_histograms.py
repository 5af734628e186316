import pytest
import torch

SNIPPET = "parameters_exercises/init_histograms.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def samples(ns):
    return ns["samples"]


def test_init_normal_is_centred_with_std_001(samples):
    w = samples["init_normal"]
    assert abs(w.std().item() - 0.01) < 0.0003 and abs(w.mean().item()) < 1e-4


def test_xavier_uniform_is_flat_on_its_bound(samples):
    w = samples["xavier_uniform_"]
    a = (6 / (256 + 512)) ** 0.5
    assert w.abs().max() <= a
    counts = torch.histc(w, bins=10, min=-a, max=a)
    assert counts.min() > 0.9 * counts.mean()  # flat: every bin close to the mean count


def test_my_init_has_three_parts(out, samples):
    w = samples["my_init"]
    a = w.abs()
    assert bool(((a == 0) | ((a >= 5) & (a <= 10))).all())
    zero, neg, pos = (w == 0).float().mean(), (w < 0).float().mean(), (w > 0).float().mean()
    assert abs(zero - 0.5) < 0.01 and abs(neg - 0.25) < 0.01 and abs(pos - 0.25) < 0.01
    assert out.splitlines()[-1].startswith("my_init 负 / 零 / 正 的比例：")
