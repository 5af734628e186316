"""反向传播之前，参数的梯度是 None；做一次反向传播后才有与参数同形状的梯度。"""
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))

print(net[2].weight.grad == None)  # noqa: E711  书中的写法；更地道的是 `is None`
net(X).sum().backward()
print(net[2].weight.grad.shape == net[2].weight.shape)
