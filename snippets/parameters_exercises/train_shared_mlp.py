"""练习 3：训练一个带共享层的 MLP，每一步检查绑定层的参数和梯度；未绑定的对照模型两层会分开。"""
import copy

import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(64, 4)
y = X @ torch.tensor([[2.0], [-3.4], [1.0], [0.5]]) + 4.2  # 合成的回归数据

shared = nn.Linear(8, 8)
tied = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                     nn.Linear(8, 1))
untied = nn.Sequential(*(copy.deepcopy(m) for m in tied))  # 同样的初值，第 2、4 层各自独立

loss_fn = nn.MSELoss()
opt_tied = torch.optim.SGD(tied.parameters(), lr=0.02)
opt_untied = torch.optim.SGD(untied.parameters(), lr=0.02)
losses, drift = [], []
for step in range(40):
    for net, opt in ((tied, opt_tied), (untied, opt_untied)):
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
    losses.append(loss_fn(tied(X), y).item())
    # 绑定：始终是同一个参数对象、同一个梯度张量
    assert tied[2].weight is tied[4].weight and tied[2].weight.grad is tied[4].weight.grad
    # 未绑定：两层从相同的值出发，各自更新，差距越来越大
    drift.append((untied[2].weight - untied[4].weight).abs().max().item())

print(f"损失：第 1 步 {losses[0]:.3f} → 第 {len(losses)} 步 {losses[-1]:.3f}")
print("绑定模型：每一步 tied[2].weight is tied[4].weight，且 .grad 是同一个张量")
for step in (0, 9, 19, 39):
    print(f"未绑定模型第 {step + 1:>2} 步：max|W2 - W4| = {drift[step]:.4f}")
