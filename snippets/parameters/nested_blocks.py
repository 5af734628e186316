"""嵌套块的参数：用 add_module 把块套进块里，打印网络结构，再像嵌套列表一样逐层索引。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:rgnet]
def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                         nn.Linear(8, 4), nn.ReLU())


def block2():
    net = nn.Sequential()
    for i in range(4):
        # 在这里嵌套：add_module(名字, 模块) 动态地添加子网络
        net.add_module(f'block {i}', block1())
    return net


rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
print(rgnet(X))
# --8<-- [end:rgnet]

# --8<-- [start:print]
print(rgnet)
# --8<-- [end:print]

# --8<-- [start:index]
# 第 0 个子网络 → 其中的 'block 1' → 它的第 0 层 nn.Linear(4, 8)
print(rgnet[0][1][0].bias.data)
# --8<-- [end:index]
