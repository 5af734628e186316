"""复制数值不是绑定：load_state_dict 或 .data.copy_ 得到的是两个对象，训练一步后就不再相等。"""
import torch
from torch import nn

torch.manual_seed(0)
X = torch.rand(size=(2, 4))
a, b = nn.Linear(8, 8), nn.Linear(8, 8)
b.load_state_dict(a.state_dict())  # 只复制数值（.data.copy_ 同理）
print(torch.equal(a.weight, b.weight), a.weight is b.weight)

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    a, nn.ReLU(),
                    b, nn.Sigmoid(),
                    nn.Linear(8, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
net(X).sum().backward()
optimizer.step()
# 两层收到的梯度不同，各自更新：数值分开了
print(torch.equal(a.weight, b.weight))
print((a.weight - b.weight).detach().abs().max())
