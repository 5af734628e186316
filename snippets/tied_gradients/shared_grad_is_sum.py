"""共享层的梯度：net[2] 和 net[4] 的 .grad 是同一个张量，它等于两个不绑定副本各自梯度之和。"""
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
net(X).sum().backward()
# 同一个参数只有一个 .grad：两个位置读到的是同一个张量对象
print(net[2].weight.grad is net[4].weight.grad)

# 不绑定的对照：逐层深拷贝，第 2、4 层变成权重相同、互相独立的两个层
untied = nn.Sequential(*(copy.deepcopy(m) for m in net))
untied.zero_grad(set_to_none=True)
untied(X).sum().backward()
print(untied[2] is untied[4])

# 绑定后的梯度 = 两次使用各自的梯度相加
summed = untied[2].weight.grad + untied[4].weight.grad
print((net[2].weight.grad - summed).abs().max())
