"""练习 2（续）：init_normal、xavier_uniform_ 和笔记的 my_init 画出来是什么分布。"""
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Linear(256, 512)


def weights_after(init):
    with torch.no_grad():
        init(layer.weight)
    return layer.weight.detach().flatten().clone()


def my_init(w):  # 笔记 2.2 节的自定义初始化
    nn.init.uniform_(w, -10, 10)
    w *= w.abs() >= 5


samples = {
    "init_normal": weights_after(lambda w: nn.init.normal_(w, mean=0, std=0.01)),
    "xavier_uniform_": weights_after(nn.init.xavier_uniform_),
    "my_init": weights_after(my_init),
}
for name, w in samples.items():
    print(f"{name:<16} min={w.min().item():+.4f} max={w.max().item():+.4f}")

# my_init 的三段：U(-10, -5)、恰好为 0、U(5, 10)
w = samples["my_init"]
parts = [(w < 0).float().mean().item(), (w == 0).float().mean().item(),
         (w > 0).float().mean().item()]
print("my_init 负 / 零 / 正 的比例：" + " / ".join(f"{p:.3f}" for p in parts))
