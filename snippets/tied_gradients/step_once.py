"""optimizer.step() 对共享权重只更新一次：一步的更新量是学习率乘以两份梯度之和。"""
import torch
from torch import nn

torch.manual_seed(0)
X = torch.rand(size=(2, 4))
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.Sigmoid(),
                    nn.Linear(8, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
# 优化器里登记了几个参数？共享层的 weight、bias 各只登记一次
print(len(optimizer.param_groups[0]["params"]))

before = shared.weight.detach().clone()
net(X).sum().backward()
optimizer.step()
after = shared.weight.detach()
grad = shared.weight.grad  # 已经是两次使用的梯度之和

print(torch.allclose(after, before - 0.1 * grad))      # 更新了一次
print(torch.allclose(after, before - 2 * 0.1 * grad))  # 没有更新两次
