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
    row = stats[name]
    mean_t, mean, std_t, std = row["mean*"], row["mean"], row["std*"], row["std"]
    # 131072 samples: a sample std is within ~0.3 % of the truth; allow 3 %.
    assert std == pytest.approx(std_t, rel=0.03, abs=1e-7)
    assert mean == pytest.approx(mean_t, abs=max(4 * std_t / 362, 1e-7))  # 362 = sqrt(131072)


def test_every_sample_lies_within_the_theoretical_bounds():
    for name, row in stats.items():
        assert row["min*"] <= row["min"] <= row["max"] <= row["max*"], name


def test_bounds_of_the_bounded_initializers():
    a = 6 ** 0.5 / (256 + 512) ** 0.5
    assert stats["xavier_uniform_"]["max*"] == pytest.approx(a)
    assert stats["xavier_uniform_"]["min"] >= -a and stats["xavier_uniform_"]["max"] <= a
    assert stats["kaiming_uniform_"]["max*"] == pytest.approx((6 / 256) ** 0.5)
    assert stats["trunc_normal_(±2)"]["min"] >= -2 and stats["trunc_normal_(±2)"]["max"] <= 2
    assert stats["eye_"]["min"] == 0 and stats["eye_"]["max"] == 1
    assert stats["normal_(0, 1)"]["max*"] == float("inf")


def test_the_text_table_has_a_header_and_theory_before_measurement():
    header = out.splitlines()[0].split()
    assert header == ["init", "mean*", "mean", "std*", "std", "min*", "min", "max*", "max"]
    assert out.splitlines()[2].split()[-4] == "-inf"  # normal_ has no lower bound (min*)
