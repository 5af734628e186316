"""参数绑定：同一个层对象在网络里用两次，两处的参数不仅值相等，而且是同一个对象。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:shared]
# 我们需要给共享层一个名称，以便可以引用它的参数
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.Sigmoid(),
                    nn.Linear(8, 1))
net(X)
# 检查参数是否相同
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# 确保它们实际上是同一个对象，而不只是有相同的值
print(net[2].weight.data[0] == net[4].weight.data[0])
# --8<-- [end:shared]
