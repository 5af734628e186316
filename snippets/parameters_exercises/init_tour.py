"""练习 2：torch.nn.init 常用初始化函数一览——在 512×256 的权重上比较实测统计量与理论值。"""
# --8<-- [start:tour]
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

inf = math.inf
xavier_bound = math.sqrt(3) * xavier_std    # 均匀分布 U(-a, a) 的标准差是 a/√3
kaiming_bound = math.sqrt(3) * kaiming_std

# (名字, 初始化函数, 理论均值, 理论标准差, 理论最小值, 理论最大值)；正态分布没有界，记作 ±inf
initializers = [
    ("uniform_(0, 1)", lambda w: nn.init.uniform_(w), 0.5, 1 / math.sqrt(12), 0, 1),
    ("normal_(0, 1)", lambda w: nn.init.normal_(w), 0.0, 1.0, -inf, inf),
    ("constant_(0.5)", lambda w: nn.init.constant_(w, 0.5), 0.5, 0.0, 0.5, 0.5),
    ("zeros_", nn.init.zeros_, 0.0, 0.0, 0, 0),
    ("ones_", nn.init.ones_, 1.0, 0.0, 1, 1),
    ("eye_", nn.init.eye_, eye_p, math.sqrt(eye_p * (1 - eye_p)), 0, 1),
    ("xavier_uniform_", nn.init.xavier_uniform_, 0.0, xavier_std, -xavier_bound, xavier_bound),
    ("xavier_normal_", nn.init.xavier_normal_, 0.0, xavier_std, -inf, inf),
    ("kaiming_uniform_", lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"), 0.0, kaiming_std,
     -kaiming_bound, kaiming_bound),
    ("kaiming_normal_", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), 0.0, kaiming_std,
     -inf, inf),
    ("trunc_normal_(±2)", nn.init.trunc_normal_, 0.0, truncated_std(-2, 2), -2, 2),
    ("orthogonal_", nn.init.orthogonal_, 0.0, math.sqrt(min(fan_in, fan_out) / n), -1, 1),
    ("sparse_(0.9, 0.01)", lambda w: nn.init.sparse_(w, 0.9, std=0.01), 0.0,
     0.01 * math.sqrt(1 - zero_rows / fan_out), -inf, inf),
]

stats = {}  # 名字 -> 理论值（带 *）与这次实测的统计量
layer = nn.Linear(fan_in, fan_out)
for name, init, mean, std, lo, hi in initializers:
    with torch.no_grad():
        init(layer.weight)
    w = layer.weight.detach()
    stats[name] = {"mean*": mean, "mean": w.mean().item(), "std*": std,
                   "std": w.std(unbiased=False).item(), "min*": lo, "min": w.min().item(),
                   "max*": hi, "max": w.max().item()}
# --8<-- [end:tour]

# --8<-- [start:print]
# 带 * 的列是理论值，其余是这次实测的统计量（网页上是同一组数的表格）
columns = ["mean*", "mean", "std*", "std", "min*", "min", "max*", "max"]
print(f"{'init':<20}" + "".join(f"{c:>9}" for c in columns))
for name, row in stats.items():
    print(f"{name:<20}" + "".join(f"{row[c]:>9.4f}" for c in columns))
# --8<-- [end:print]
