"""type(m) 的含义：自定义模块的 type 就是自定义类本身，所以 apply 里的 type 判断只命中指定的类。"""
import torch
from torch import nn

torch.manual_seed(0)


class CustomLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(10, 10)

    def forward(self, x):
        return self.net(x)


custom_net = CustomLayer()
print(type(custom_net) == CustomLayer)
print(type(custom_net) == nn.Linear, type(custom_net.net) == nn.Linear)
