"""两份梯度是相加而不是平均：这正是所定义的损失对共享参数的导数；损失取均值只影响批量维度。"""
import copy

import torch
from torch import nn

torch.manual_seed(0)
X = torch.rand(size=(2, 4))
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.Sigmoid(),
                    nn.Linear(8, 1))
untied = nn.Sequential(*(copy.deepcopy(m) for m in net))

net(X).mean().backward()
untied(X).mean().backward()
g1, g2 = untied[2].weight.grad, untied[4].weight.grad
g = net[2].weight.grad
print(torch.allclose(g, g1 + g2), torch.allclose(g, (g1 + g2) / 2))

# 把损失从 mean 改成 sum：批量里 2 个样本的梯度由平均变成相加（整体乘 2），
# 而两次使用之间始终是相加
net.zero_grad()
net(X).sum().backward()
print(torch.allclose(net[2].weight.grad, X.shape[0] * g))
