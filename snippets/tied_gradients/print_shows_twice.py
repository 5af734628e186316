"""print(net) 为什么把共享层列两次：Sequential 按位置记录子模块，两个位置指向同一个对象。"""
import torch
from torch import nn

torch.manual_seed(0)
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.Sigmoid(),
                    nn.Linear(8, 1))

print(net)                 # 按位置打印：(2) 和 (4) 都是 Linear(8, 8)
print(net[2] is net[4])    # 但它们是同一个对象
print(len(net))            # 7 个位置
# named_children() / named_modules() 会去重：位置 4 不再出现
print([name for name, _ in net.named_children()])
