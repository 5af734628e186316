import pytest

from helpers import run_snippet

SNIPPET = "parameters/tied_explorer.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def hand():
    return run_snippet("parameters/tied_1d_by_hand.py")[0]


@pytest.fixture(scope="module")
def tied_case(ns):
    return ns["tied_case"]


def test_first_case_is_the_notes_example(ns, tied_case):
    q = tied_case(2.0, 1.0, 1.0, 3.0, 0.1)
    assert (q["h"], q["out"], q["loss"]) == (3, 7, 4)
    assert (q["grad_w1"], q["grad_w2"], q["grad_w"]) == (2, 3, 5)
    assert (q["grad_b1"], q["grad_b2"], q["grad_b"]) == (2, 1, 3)
    assert (q["new_w"], q["new_b"]) == (pytest.approx(1.5), pytest.approx(0.7))
    assert ns["CASES"][0] == dict(w=2.0, b=1.0, x=1.0, y=3.0, lr=0.1, tied=True, loss="out - y")


def test_untied_layers_each_take_their_own_share(tied_case):
    q = tied_case(2.0, 1.0, 1.0, 3.0, 0.1, tied=False)
    assert (q["new_w1"], q["new_w2"]) == (pytest.approx(1.8), pytest.approx(1.7))  # the note's 1.8, 1.7
    assert "grad_w" not in q and "new_w" not in q


@pytest.mark.parametrize("case", range(6))
def test_per_use_gradients_are_the_hand_chain_rule_and_tied_is_their_sum(hand, ns, tied_case, case):
    w, b, x, y, lr = ns["EXAMPLES"][case]
    q = tied_case(w, b, x, y, lr)
    g = hand["chain_rule"](w, b, w, b, x, y)
    for k in ("w1", "b1", "w2", "b2"):
        assert q[f"grad_{k}"] == pytest.approx(g[k])
    assert q["grad_w"] == pytest.approx(g["w1"] + g["w2"])
    assert q["new_w"] == pytest.approx(w - lr * q["grad_w"])


def test_squared_loss_scales_every_gradient_by_2_times_the_error(tied_case):
    lin = tied_case(0.5, -2.0, -3.0, 0.0, 0.2)
    sq = tied_case(0.5, -2.0, -3.0, 0.0, 0.2, loss="(out - y)^2")
    err = lin["loss"]
    assert sq["loss"] == pytest.approx(err ** 2)
    for k in ("grad_w1", "grad_b1", "grad_w2", "grad_b2", "grad_w", "grad_b"):
        assert sq[k] == pytest.approx(2 * err * lin[k])


def test_prints_one_row_per_case(ns, out):
    lines = out.splitlines()
    assert len(lines) == 1 + len(ns["CASES"]) == 25
    assert lines[1].split()[:2] == ["绑定", "out"] and lines[1].split()[-1] == "1.5"
    assert lines[7].split()[-2:] == ["1.8,", "1.7"]
