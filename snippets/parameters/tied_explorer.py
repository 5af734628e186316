"""自己试一试：任取 w、b、x、y、η，比较绑定与不绑定的一步 SGD，每个数都由 autograd 算出。"""
import torch
from torch import nn

torch.manual_seed(0)


def tied_case(w, b, x, y, lr, tied=True, loss="out - y"):
    """一元两层网络 h = w₁x + b₁、out = w₂h + b₂，反向传播并做一步 SGD。

    tied=True：同一个 nn.Linear(1, 1) 用两次；tied=False：两个层，初始值都是 (w, b)。
    loss 是 "out - y"（笔记里的例子）或 "(out - y)^2"。
    """
    def layer():
        lin = nn.Linear(1, 1, dtype=torch.float64)  # float64：与浏览器里的 JavaScript 同精度
        with torch.no_grad():
            lin.weight.fill_(w)
            lin.bias.fill_(b)
        return lin

    def run(first, second):
        net = nn.Sequential(first, second)  # 绑定时 parameters() 里同一参数只出现一次
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
        h = first(torch.tensor([[x]], dtype=torch.float64))
        out = second(h)
        L = out - y if loss == "out - y" else (out - y) ** 2
        L.sum().backward()
        grads = [p.grad.item() for p in (first.weight, first.bias, second.weight, second.bias)]
        optimizer.step()
        return h.item(), out.item(), L.item(), grads

    # 先当作两组独立参数：每一层收到的梯度，就是绑定时每一次使用贡献的那一份
    first, second = layer(), layer()
    h, out, L, (gw1, gb1, gw2, gb2) = run(first, second)
    q = {"h": h, "out": out, "loss": L,
         "grad_w1": gw1, "grad_b1": gb1, "grad_w2": gw2, "grad_b2": gb2}
    if not tied:
        q.update(new_w1=first.weight.item(), new_b1=first.bias.item(),
                 new_w2=second.weight.item(), new_b2=second.bias.item())
        return q

    shared = layer()
    _, _, _, (gw, gb, _, _) = run(shared, shared)  # 同一个层用两次：.grad 是两份之和
    assert abs(gw - (gw1 + gw2)) < 1e-9 and abs(gb - (gb1 + gb2)) < 1e-9
    q.update(grad_w=gw, grad_b=gb, new_w=shared.weight.item(), new_b=shared.bias.item())
    return q


# 网页上的探索器逐一核对这些用例：负数、零、小数，两种模式，两种损失
EXAMPLES = [  # (w, b, x, y, η)，第一组是笔记里的例子
    (2.0, 1.0, 1.0, 3.0, 0.1),
    (-1.5, 0.5, 2.0, -1.0, 0.05),
    (0.0, 0.0, 1.0, 1.0, 0.1),
    (0.5, -2.0, -3.0, 0.0, 0.2),
    (1.25, 0.0, 0.0, 2.5, 0.01),
    (-0.3, 1.7, 0.8, -0.6, 0.5),
]
CASES = [dict(w=w, b=b, x=x, y=y, lr=lr, tied=tied, loss=loss)
         for loss in ("out - y", "(out - y)^2") for tied in (True, False)
         for w, b, x, y, lr in EXAMPLES]
results = [tied_case(**case) for case in CASES]

print(f"{'模式  '} {'损失':<11} {'w':>5} {'b':>5} {'x':>5} {'y':>5} {'η':>5}"
      f" {'loss':>9} {'∂L/∂w₁':>9} {'∂L/∂w₂':>9} {'更新后 w（或 w₁, w₂）':>20}")
for case, q in zip(CASES, results):
    new = (f"{q['new_w']:.4g}" if case["tied"] else f"{q['new_w1']:.4g}, {q['new_w2']:.4g}")
    print(f"{'绑定  ' if case['tied'] else '不绑定'} {case['loss']:<11}"  # 汉字占两格
          + "".join(f" {case[k]:>5g}" for k in ("w", "b", "x", "y", "lr"))
          + f" {q['loss']:>9.4g} {q['grad_w1']:>9.4g} {q['grad_w2']:>9.4g} {new:>20}")
