"""练习 4：为什么共享参数——卷积核、跨时间步的 RNN 单元、输入输出词嵌入三例的参数量对比。"""
import torch
from torch import nn

torch.manual_seed(0)


def count(*modules):
    """不重复地数参数：同一个参数对象只算一次。"""
    params = {id(p): p for m in modules for p in m.parameters()}
    return sum(p.numel() for p in params.values())


# 1. 28×28 的单通道图片：3×3 卷积核在所有位置共享，对比输出同样大小的全连接层
conv = nn.Conv2d(1, 1, kernel_size=3)
dense = nn.Linear(28 * 28, 26 * 26)
print(f"卷积（共享一个 3×3 核）：{count(conv)}  全连接：{count(dense)}")

# 2. 长度 50 的序列：同一个 RNNCell 用在每个时间步，对比每步一个单元
cell = nn.RNNCell(10, 20)
per_step = [nn.RNNCell(10, 20) for _ in range(50)]
print(f"RNN（共享一个单元）：{count(cell)}  每步一个单元：{count(*per_step)}")

# 3. 词表 1000、维度 64 的语言模型：输出层与输入词嵌入共用一个矩阵
embedding = nn.Embedding(1000, 64)
head = nn.Linear(64, 1000, bias=False)
print(f"不绑定：{count(embedding, head)}", end="  ")
head.weight = embedding.weight  # 绑定：两处是同一个参数对象
print(f"绑定输入/输出嵌入：{count(embedding, head)}")
