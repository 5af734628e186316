"""直接修改参数：书里的 .data 写法，与现在推荐的 torch.no_grad() 写法，以及为什么不推荐 .data。"""
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))

# 书中的写法：通过 .data 修改
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
print(net[0].weight.data[0])

# 推荐的写法：在 torch.no_grad() 里原地修改参数本身
with torch.no_grad():
    net[0].weight[:] += 1
    net[0].weight[0, 0] = 42
print(net[0].weight[0].detach())

# 为什么不推荐 .data：autograd 看不到经 .data 做的修改
w = torch.ones(3, requires_grad=True)
y = (w * w).sum()  # 反向传播要用到 w 的旧值
w.data.mul_(10)    # 悄悄改掉：不报错
y.backward()
print(w.grad)      # 梯度按改过的新值算出，是错的（应按旧值算 2·w）

w = torch.ones(3, requires_grad=True)
y = (w * w).sum()
with torch.no_grad():
    w.mul_(10)     # 同样的修改，autograd 记下了版本号
try:
    y.backward()
except RuntimeError as error:
    print("RuntimeError:", str(error).split(":")[0])
