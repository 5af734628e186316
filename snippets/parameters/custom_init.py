"""自定义初始化：权重先取 U(-10, 10)，再把绝对值小于 5 的元素置零。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:my_init]
def my_init(m):
    if type(m) == nn.Linear:
        # 打印这一层第一个参数（weight）的名字和形状
        print("Init", *[(name, param.shape)
                        for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        # 布尔张量相乘：|w| >= 5 的保留，其余置 0
        m.weight.data *= m.weight.data.abs() >= 5


net.apply(my_init)
print(net[0].weight[:2])
# --8<-- [end:my_init]
