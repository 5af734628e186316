import pytest

from helpers import run_snippet

ns, out = run_snippet("parameters_exercises/init_tour.py")
stats = ns["stats"]


def test_every_common_initializer_is_in_the_table():
    names = set(stats)
    for fn in ("uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "xavier_uniform_",
               "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_",
               "orthogonal_", "sparse_"):
        assert any(n.startswith(fn) for n in names), fn
    assert len(out.splitlines()) == 1 + len(stats)


@pytest.mark.parametrize("name", sorted(ns["stats"]))
def test_empirical_std_and_mean_match_the_theory(name):
    mean_t, mean, std_t, std, lo, hi = stats[name]
    # 131072 samples: a sample std is within ~0.3 % of the truth; allow 3 %.
    assert std == pytest.approx(std_t, rel=0.03, abs=1e-7)
    assert mean == pytest.approx(mean_t, abs=max(4 * std_t / 362, 1e-7))  # 362 = sqrt(131072)


def test_bounds_of_the_bounded_initializers():
    a = 6 ** 0.5 / (256 + 512) ** 0.5
    assert stats["xavier_uniform_"][4] >= -a and stats["xavier_uniform_"][5] <= a
    assert stats["trunc_normal_(±2)"][4] >= -2 and stats["trunc_normal_(±2)"][5] <= 2
    assert stats["uniform_(0, 1)"][4] >= 0 and stats["uniform_(0, 1)"][5] <= 1
    assert stats["eye_"][4] == 0 and stats["eye_"][5] == 1
