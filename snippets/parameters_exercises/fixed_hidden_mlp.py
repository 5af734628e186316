"""练习 1：5.1 节的 FixedHiddenMLP——rand_weight 不是参数；self.linear 用了两次，是绑定的层。"""
import copy

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)


class FixedHiddenMLP(nn.Module):  # 与 5.1 节相同
    def __init__(self):
        super().__init__()
        # 不计算梯度的随机权重：只是一个普通张量属性，不是参数
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)  # 复用全连接层：相当于两个层共享参数
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


net = FixedHiddenMLP()
X = torch.rand(2, 20)

# 访问参数：只有 linear 的 weight 和 bias
print([(name, tuple(p.shape)) for name, p in net.named_parameters()])
print(list(net.state_dict().keys()))

# 训练一步：rand_weight 不在优化器里，保持不变
fixed = net.rand_weight.clone()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
net(X).backward()
optimizer.step()
print(torch.equal(net.rand_weight, fixed))


# self.linear 的梯度 = 第一次使用 + 第二次使用：拆成两个独立副本来对照
class UntiedFixedHiddenMLP(FixedHiddenMLP):
    def __init__(self, tied):
        super().__init__()
        self.rand_weight = tied.rand_weight
        self.linear = copy.deepcopy(tied.linear)
        self.linear2 = copy.deepcopy(tied.linear)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear2(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


net.zero_grad()
untied = UntiedFixedHiddenMLP(net)
net(X).backward()
untied(X).backward()
both = untied.linear.weight.grad + untied.linear2.weight.grad
print((net.linear.weight.grad - both).abs().max())
