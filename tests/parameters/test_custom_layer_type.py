from torch import nn

SNIPPET = "parameters/custom_layer_type.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_type_of_a_custom_module_is_its_class(ns, out):
    assert type(ns["custom_net"]) is ns["CustomLayer"]
    assert out == "True\nFalse True\n"


def test_type_check_in_apply_hits_only_the_inner_linear(ns):
    hits = []
    ns["custom_net"].apply(lambda m: hits.append(m) if type(m) is nn.Linear else None)
    assert hits == [ns["custom_net"].net]
