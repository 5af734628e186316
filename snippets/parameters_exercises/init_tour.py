"""练习 2：torch.nn.init 常用初始化函数一览——在 512×256 的权重上比较实测统计量与理论值。"""
import math

import torch
from torch import nn

torch.manual_seed(0)
fan_out, fan_in = 512, 256  # nn.Linear(256, 512) 的权重形状是 (512, 256)
n = fan_out * fan_in


def truncated_std(a, b):
    """标准正态截断到 [a, b] 后的标准差。"""
    pdf = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda t: (1 + math.erf(t / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(b) - cdf(a)
    return math.sqrt(1 + (a * pdf(a) - b * pdf(b)) / z - ((pdf(a) - pdf(b)) / z) ** 2)


xavier_std = math.sqrt(2 / (fan_in + fan_out))
kaiming_std = math.sqrt(2) / math.sqrt(fan_in)  # ReLU 的增益 √2，mode='fan_in'
eye_p = min(fan_in, fan_out) / n
zero_rows = math.ceil(0.9 * fan_out)  # sparse_：每列有 90% 的元素置零

# (名字, 初始化函数, 理论均值, 理论标准差)
initializers = [
    ("uniform_(0, 1)", lambda w: nn.init.uniform_(w), 0.5, 1 / math.sqrt(12)),
    ("normal_(0, 1)", lambda w: nn.init.normal_(w), 0.0, 1.0),
    ("constant_(0.5)", lambda w: nn.init.constant_(w, 0.5), 0.5, 0.0),
    ("zeros_", nn.init.zeros_, 0.0, 0.0),
    ("ones_", nn.init.ones_, 1.0, 0.0),
    ("eye_", nn.init.eye_, eye_p, math.sqrt(eye_p * (1 - eye_p))),
    ("xavier_uniform_", nn.init.xavier_uniform_, 0.0, xavier_std),
    ("xavier_normal_", nn.init.xavier_normal_, 0.0, xavier_std),
    ("kaiming_uniform_", lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"), 0.0, kaiming_std),
    ("kaiming_normal_", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), 0.0, kaiming_std),
    ("trunc_normal_(±2)", nn.init.trunc_normal_, 0.0, truncated_std(-2, 2)),
    ("orthogonal_", nn.init.orthogonal_, 0.0, math.sqrt(min(fan_in, fan_out) / n)),
    ("sparse_(0.9, 0.01)", lambda w: nn.init.sparse_(w, 0.9, std=0.01), 0.0,
     0.01 * math.sqrt(1 - zero_rows / fan_out)),
]

stats = {}
layer = nn.Linear(fan_in, fan_out)
# 带 * 的列是理论值，其余是这次实测的统计量
print(f"{'init':<20}{'mean*':>10}{'mean':>10}{'std*':>12}{'std':>12}{'min':>10}{'max':>10}")
for name, init, mean, std in initializers:
    with torch.no_grad():
        init(layer.weight)
    w = layer.weight.detach()
    stats[name] = (mean, w.mean().item(), std, w.std(unbiased=False).item(),
                   w.min().item(), w.max().item())
    print(f"{name:<20}" + "".join(f"{v:>12.4f}" if i in (2, 3) else f"{v:>10.4f}"
                                  for i, v in enumerate(stats[name])))
