import pytest
import torch
from torch import nn

SNIPPET = "parameters/param_access.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


@pytest.fixture(scope="module")
def net(ns):
    return ns["net"]


def test_state_dict_of_one_layer_holds_weight_and_bias(lines, net):
    sd = net[2].state_dict()
    assert list(sd) == ["weight", "bias"]
    assert sd["weight"].shape == (1, 8)
    assert sd["bias"].shape == (1,)
    assert lines[0].startswith("OrderedDict([('weight', tensor([[")


def test_bias_is_a_parameter_with_no_grad_before_backward(lines, net):
    assert type(net[2].bias) is nn.Parameter
    assert net[2].bias.requires_grad
    assert net[2].bias.grad is None
    assert lines[1] == "<class 'torch.nn.parameter.Parameter'>"
    assert lines[2] == "Parameter containing:"
    assert lines[5] == "None"


def test_data_is_a_plain_tensor_sharing_storage_with_the_parameter(lines, net):
    data = net[2].bias.data
    assert type(data) is torch.Tensor and not data.requires_grad
    assert data.data_ptr() == net[2].bias.data_ptr()
    assert "requires_grad" not in lines[4] and "requires_grad=True" in lines[3]


def test_named_parameters_are_index_dot_name(lines, net):
    named = [(name, tuple(p.shape)) for name, p in net.named_parameters()]
    assert named == [("0.weight", (8, 4)), ("0.bias", (8,)),
                     ("2.weight", (1, 8)), ("2.bias", (1,))]
    assert lines[6] == ("('0.weight', torch.Size([8, 4])) ('0.bias', torch.Size([8])) "
                        "('2.weight', torch.Size([1, 8])) ('2.bias', torch.Size([1]))")


def test_state_dict_entry_is_the_same_values_as_the_layer_attribute(lines, net):
    assert torch.equal(net.state_dict()["2.bias"], net[2].bias.data)
    assert lines[7] == lines[4]  # print(net.state_dict()['2.bias'].data) == print(net[2].bias.data)
