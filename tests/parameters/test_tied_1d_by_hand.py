import random

import pytest
import torch
from torch import nn

SNIPPET = "parameters/tied_1d_by_hand.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_the_notes_numbers(ns, out):
    assert (ns["h"], ns["out"], ns["loss"]) == (3, 7, 4)
    assert ns["per_layer"] == {"w2": 3, "b2": 1, "w1": 2, "b1": 2}
    assert ns["grads"] == {"w": 5, "b": 3}
    assert (ns["new_w"], ns["new_b"]) == (pytest.approx(1.5), pytest.approx(0.7))
    assert out.splitlines()[1] == "∂loss/∂w = 3（第二层）+ 2（第一层）= 5"


@pytest.mark.parametrize("seed", range(8))
def test_hand_derivation_matches_autograd_for_random_values(ns, seed):
    rnd = random.Random(seed)
    w, b, x, y = (rnd.uniform(-3, 3) for _ in range(4))
    hand = ns["check_against_autograd"](w, b, x, y)  # raises if they disagree
    auto = ns["autograd_grads"](w, b, x, y)
    assert hand["w"] == pytest.approx(auto["w"], rel=1e-4, abs=1e-5)
    assert hand["b"] == pytest.approx(auto["b"], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_per_layer_chain_rule_matches_autograd_on_untied_layers(ns, seed):
    rnd = random.Random(100 + seed)
    w1, b1, w2, b2, x, y = (rnd.uniform(-3, 3) for _ in range(6))
    l1, l2 = nn.Linear(1, 1), nn.Linear(1, 1)
    with torch.no_grad():
        l1.weight.fill_(w1), l1.bias.fill_(b1), l2.weight.fill_(w2), l2.bias.fill_(b2)
    (l2(l1(torch.tensor([x]))) - y).backward()
    g = ns["chain_rule"](w1, b1, w2, b2, x, y)
    for name, p in [("w1", l1.weight), ("b1", l1.bias), ("w2", l2.weight), ("b2", l2.bias)]:
        assert g[name] == pytest.approx(p.grad.item(), rel=1e-4, abs=1e-5)


def test_a_wrong_derivation_is_caught(ns):
    def averaged_instead_of_summed(w, b, x, y):
        g = ns["chain_rule"](w, b, w, b, x, y)
        return {"w": (g["w1"] + g["w2"]) / 2, "b": (g["b1"] + g["b2"]) / 2}

    with pytest.raises(AssertionError, match="autograd"):
        ns["check_against_autograd"](2.0, 1.0, 1.0, 3.0, by_hand=averaged_instead_of_summed)
