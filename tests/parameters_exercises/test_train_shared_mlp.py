import torch

SNIPPET = "parameters_exercises/train_shared_mlp.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_training_lowers_the_loss(ns):
    losses = ns["losses"]
    assert len(losses) == 40
    assert losses[-1] < 0.5 * losses[0]


def test_tied_layers_stay_one_object_with_one_grad(ns):
    tied = ns["tied"]
    assert tied[2] is tied[4] and tied[2].weight is tied[4].weight
    assert tied[2].weight.grad is tied[4].weight.grad


def test_untied_copies_start_equal_and_drift_apart(ns, out):
    drift = ns["drift"]
    assert drift[0] > 0                     # one step is enough to separate them
    assert drift[-1] > 10 * drift[0]        # and they keep separating
    assert not torch.equal(ns["untied"][2].weight, ns["untied"][4].weight)
    assert out.count("max|W2 - W4|") == 4
