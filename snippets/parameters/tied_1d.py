"""理解参数绑定下的反向传播：一元两层网络（w=2, b=1），先不绑定、再绑定，各做一步 SGD。"""
# --8<-- [start:untied]
import torch
from torch import nn

torch.manual_seed(0)


class ParameterTiedModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(1, 1)
        # 也可以在一个模块内部绑定：再建一个 self.linear2，然后令
        # self.linear2.weight = self.linear1.weight（bias 同理）
        self.linear1.weight.data[0] = 2.0
        self.linear1.bias.data[0] = 1.0

    def forward(self, x):
        return self.linear1(x)


shared = ParameterTiedModel()
shared1 = ParameterTiedModel()
net = nn.Sequential(shared, shared1)  # 两个独立的层：没有绑定
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

X = torch.tensor([1.0])
Y = torch.tensor([3.0])

loss = net(X) - Y
loss.backward()
optimizer.step()
# 更新后的参数 w1, w2
print(net[0].linear1.weight.data, net[1].linear1.weight.data)
# --8<-- [end:untied]

# --8<-- [start:tied]
shared = ParameterTiedModel()
net = nn.Sequential(shared, shared)  # 同一个层用两次：参数绑定
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

loss = net(X) - Y
loss.backward()
optimizer.step()
# 更新后的参数 w, b
print(net[0].linear1.weight.data, net[1].linear1.bias.data)
# --8<-- [end:tied]
