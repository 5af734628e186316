"""内置初始化：用 net.apply 把 nn.init.normal_ / zeros_ 递归地作用到每个 nn.Linear 上。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:init_normal]
def init_normal(m):
    if type(m) == nn.Linear:  # 只初始化最小的网络单元（全连接层）
        nn.init.normal_(m.weight, mean=0, std=0.01)  # 带下划线：原地修改
        nn.init.zeros_(m.bias)


net.apply(init_normal)  # 递归地作用到每一个子模块（包括 net 自己）
print(net[0].weight.data[0], net[0].bias.data[0])
# --8<-- [end:init_normal]
