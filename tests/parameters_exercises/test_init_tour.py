import pytest

SNIPPET = "parameters_exercises/init_tour.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def stats(ns):
    return ns["stats"]


def test_every_common_initializer_is_in_the_table(out, stats):
    names = set(stats)
    for fn in ("uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "xavier_uniform_",
               "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_",
               "orthogonal_", "sparse_"):
        assert any(n.startswith(fn) for n in names), fn
    assert len(out.splitlines()) == 1 + len(stats)


def test_empirical_std_and_mean_match_the_theory(stats):
    far = []
    for name, row in stats.items():
        mean_t, mean, std_t, std = row["mean*"], row["mean"], row["std*"], row["std"]
        # 131072 samples: a sample std is within ~0.3 % of the truth; allow 3 %.
        if std != pytest.approx(std_t, rel=0.03, abs=1e-7) or (
            mean != pytest.approx(mean_t, abs=max(4 * std_t / 362, 1e-7))  # 362 = sqrt(131072)
        ):
            far.append((name, row))
    assert far == []


def test_every_sample_lies_within_the_theoretical_bounds(stats):
    for name, row in stats.items():
        assert row["min*"] <= row["min"] <= row["max"] <= row["max*"], name


def test_bounds_of_the_bounded_initializers(stats):
    a = 6 ** 0.5 / (256 + 512) ** 0.5
    assert stats["xavier_uniform_"]["max*"] == pytest.approx(a)
    assert stats["xavier_uniform_"]["min"] >= -a and stats["xavier_uniform_"]["max"] <= a
    assert stats["kaiming_uniform_"]["max*"] == pytest.approx((6 / 256) ** 0.5)
    assert stats["trunc_normal_(±2)"]["min"] >= -2 and stats["trunc_normal_(±2)"]["max"] <= 2
    assert stats["eye_"]["min"] == 0 and stats["eye_"]["max"] == 1
    assert stats["normal_(0, 1)"]["max*"] == float("inf")


def test_the_text_table_has_a_header_and_theory_before_measurement(out):
    header = out.splitlines()[0].split()
    assert header == ["init", "mean*", "mean", "std*", "std", "min*", "min", "max*", "max"]
    assert out.splitlines()[2].split()[-4] == "-inf"  # normal_ has no lower bound (min*)
