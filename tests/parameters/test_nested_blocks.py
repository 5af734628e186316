import pytest
from torch import nn

SNIPPET = "parameters/nested_blocks.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def rgnet(ns):
    return ns["rgnet"]


def test_four_blocks_nested_inside_the_first_module(rgnet):
    blocks = rgnet[0]
    assert [name for name, _ in blocks.named_children()] == [f"block {i}" for i in range(4)]
    for block in blocks:
        assert [type(m) for m in block] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU]
    assert isinstance(rgnet[1], nn.Linear) and rgnet[1].out_features == 1


def test_nested_index_reaches_first_linear_of_block_1(out, rgnet):
    layer = rgnet[0][1][0]
    assert layer is getattr(rgnet[0], "block 1")[0]
    assert (layer.in_features, layer.out_features) == (4, 8)
    assert layer.bias.shape == (8,)
    assert out.rstrip("\n").splitlines()[-1] == repr(layer.bias.data)


def test_parameter_names_follow_the_nesting(rgnet):
    names = [name for name, _ in rgnet.named_parameters()]
    assert names[0] == "0.block 0.0.weight"
    assert "0.block 1.0.bias" in names
    assert names[-1] == "1.bias"
    assert sum(p.numel() for p in rgnet.parameters()) == 4 * (4 * 8 + 8 + 8 * 4 + 4) + 4 + 1


def test_print_shows_the_structure(out, rgnet):
    assert repr(rgnet) in out
    assert out.count("(block ") == 4
