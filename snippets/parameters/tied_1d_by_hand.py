"""手算参数绑定下的梯度：逐层用链式法则求偏导，两层的贡献相加，再与 autograd 的结果对照。"""
import torch
from torch import nn

torch.manual_seed(0)

w, b = 2.0, 1.0  # 两层的初始参数，与 ParameterTiedModel 相同
x, y = 1.0, 3.0  # 输入和目标
lr = 0.1         # SGD 学习率


def forward(w1, b1, w2, b2, x, y):
    """前向传播：h = w1·x + b1，out = w2·h + b2，loss = out - y。"""
    h = w1 * x + b1
    out = w2 * h + b2
    return h, out, out - y


def chain_rule(w1, b1, w2, b2, x, y):
    """把两层当作互不相干的参数，逐层求 loss 的偏导。"""
    h, _, _ = forward(w1, b1, w2, b2, x, y)
    return {
        "w2": h,       # ∂loss/∂w2 = h
        "b2": 1.0,     # ∂loss/∂b2 = 1
        "w1": w2 * x,  # ∂loss/∂w1 = ∂loss/∂h · ∂h/∂w1 = w2·x
        "b1": w2,      # ∂loss/∂b1 = ∂loss/∂h · ∂h/∂b1 = w2
    }


def tied_grads(w, b, x, y):
    """绑定时 w1 = w2 = w、b1 = b2 = b：同一参数的两份梯度按向量相加。"""
    g = chain_rule(w, b, w, b, x, y)
    return {"w": g["w2"] + g["w1"], "b": g["b2"] + g["b1"]}


def autograd_grads(w, b, x, y):
    """让 PyTorch 来算：同一个 nn.Linear(1, 1) 用两次，反向传播后读 .grad。"""
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(w)
        layer.bias.fill_(b)
    net = nn.Sequential(layer, layer)
    loss = net(torch.tensor([x])) - torch.tensor([y])
    loss.backward()
    return {"w": layer.weight.grad.item(), "b": layer.bias.grad.item()}


def check_against_autograd(w, b, x, y, by_hand=tied_grads):
    """手算与 autograd 不一致就报错（网站构建也会因此失败）。"""
    hand, auto = by_hand(w, b, x, y), autograd_grads(w, b, x, y)
    for name in ("w", "b"):
        if abs(hand[name] - auto[name]) > 1e-4 * max(1.0, abs(auto[name])):
            raise AssertionError(
                f"手算的 ∂loss/∂{name} = {hand[name]:g}，autograd 得到 {auto[name]:g}："
                f"推导有误（w={w:g}, b={b:g}, x={x:g}, y={y:g}）")
    return hand


h, out, loss = forward(w, b, w, b, x, y)
per_layer = chain_rule(w, b, w, b, x, y)
grads = check_against_autograd(w, b, x, y)
new_w, new_b = w - lr * grads["w"], b - lr * grads["b"]

print(f"前向：h = {h:g}，out = {out:g}，loss = {loss:g}")
print(f"∂loss/∂w = {per_layer['w2']:g}（第二层）+ {per_layer['w1']:g}（第一层）= {grads['w']:g}")
print(f"∂loss/∂b = {per_layer['b2']:g}（第二层）+ {per_layer['b1']:g}（第一层）= {grads['b']:g}")
print(f"与 autograd 一致；SGD 一步：w = {new_w:g}，b = {new_b:g}")
