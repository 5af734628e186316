"""net.parameters() 会去重：共享权重只算一次；逐层累加参数量（很多模型摘要工具的做法）会算两次。"""
import torch
from torch import nn

torch.manual_seed(0)
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.Sigmoid(),
                    nn.Linear(8, 1))

# parameters() / named_parameters() 默认去重
print(len(list(net.parameters())))
print(len(list(net.named_parameters(remove_duplicate=False))))

# 真实的参数个数
print(sum(p.numel() for p in net.parameters()))
# 逐层累加：共享层被数了两次
print(sum(p.numel() for layer in net for p in layer.parameters()))
