"""参数访问：按索引取出一层，查看它的 state_dict、参数的值与梯度，再按名字遍历全部参数。"""
# --8<-- [start:setup]
import torch
from torch import nn

torch.manual_seed(0)  # 与 mlp.py 相同的网络和输入
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
# --8<-- [end:setup]

# --8<-- [start:state_dict]
# Sequential 像列表一样可以索引：net[2] 是第二个全连接层 nn.Linear(8, 1)
print(net[2].state_dict())
# --8<-- [end:state_dict]

# --8<-- [start:bias]
print(type(net[2].bias))  # 参数是 nn.Parameter 类
print(net[2].bias)        # Parameter 既有值，也记录梯度
print(net[2].bias.data)   # .data：只取参数的值（一个普通张量）
print(net[2].bias.grad)   # .grad：还没有执行反向传播，所以还没有梯度
# --8<-- [end:bias]

# --8<-- [start:named_parameters]
# 不想用索引时，可以按名字访问：名字是 “层的序号.参数名”
print(*[(name, param.shape) for name, param in net.named_parameters()])
# --8<-- [end:named_parameters]

# --8<-- [start:by_name]
print(net.state_dict()['2.bias'].data)
# --8<-- [end:by_name]
