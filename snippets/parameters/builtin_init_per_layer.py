"""对不同的层用不同的内置初始化：第一层 Xavier 均匀分布，输出层全部设为常数 42。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:xavier_42]
def init_xavier(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)


def init_42(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 42)


# 不同的层可以用不同的初始化
net[0].apply(init_xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
# --8<-- [end:xavier_42]
