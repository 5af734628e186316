
SNIPPET = "parameters_supplement/one_layer_vs_all.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_one_layer_names_have_no_index_whole_net_names_do(ns, out):
    net = ns["net"]
    assert [n for n, _ in net[0].named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert out.splitlines()[0] == "('weight', torch.Size([8, 4])) ('bias', torch.Size([8]))"
