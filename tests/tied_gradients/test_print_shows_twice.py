import pytest

SNIPPET = "tied_gradients/print_shows_twice.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_print_lists_the_shared_layer_at_both_positions(net, out):
    assert "(2): Linear(in_features=8, out_features=8, bias=True)" in out
    assert "(4): Linear(in_features=8, out_features=8, bias=True)" in out
    assert net[2] is net[4]


def test_children_are_deduplicated(net, out):
    assert len(net) == 7
    assert [n for n, _ in net.named_children()] == ["0", "1", "2", "3", "5", "6"]
    assert out.splitlines()[-3:] == ["True", "7", "['0', '1', '2', '3', '5', '6']"]
