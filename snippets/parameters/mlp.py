"""单隐藏层多层感知机：后面各节的代码都在这个网络上演示。"""
import torch
from torch import nn

torch.manual_seed(0)  # 固定随机种子：每次运行打印的数值都相同

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
print(net(X))
