// 自己试一试：参数绑定下的梯度。纯 JavaScript，没有第三方库；explorer.tied_explorer 把它内联进页面。
// 算法与 snippets/parameters/tied_explorer.py 相同；tests/site/test_explorer.py 用构建时 autograd 算出的用例逐一核对。
(() => {
  "use strict";
  const NUMBERS = ["w", "b", "x", "y", "lr"];

  // 一元两层网络：h = w₁x + b₁，out = w₂h + b₂，两层的初始参数都是 (w, b)
  function compute({ w, b, x, y, lr, tied, loss }) {
    const h = w * x + b;
    const out = w * h + b;
    const err = out - y;
    const squared = loss === "(out - y)^2";
    const dOut = squared ? 2 * err : 1; // ∂L/∂out
    const dH = dOut * w;                // ∂L/∂h = ∂L/∂out · w₂
    const q = {
      h, out, loss: squared ? err * err : err,
      grad_w1: dH * x, grad_b1: dH,     // 第一次使用（第一层）：∂h/∂w₁ = x，∂h/∂b₁ = 1
      grad_w2: dOut * h, grad_b2: dOut, // 第二次使用（第二层）：∂out/∂w₂ = h，∂out/∂b₂ = 1
    };
    if (tied) { // 同一组 (w, b)：两份梯度相加，只更新一次
      q.grad_w = q.grad_w1 + q.grad_w2;
      q.grad_b = q.grad_b1 + q.grad_b2;
      q.new_w = w - lr * q.grad_w;
      q.new_b = b - lr * q.grad_b;
    } else {    // 两组参数：各自只收到自己那一份
      q.new_w1 = w - lr * q.grad_w1;
      q.new_b1 = b - lr * q.grad_b1;
      q.new_w2 = w - lr * q.grad_w2;
      q.new_b2 = b - lr * q.grad_b2;
    }
    return q;
  }

  // 保留 4 位小数、去掉末尾的 0；与 explorer.explorer_number 相同
  function format(v) {
    let s = v.toFixed(4).replace(/\.?0+$/, "");
    if (s === "-0") s = "0";
    return s.replace("-", "\u2212");
  }

  function setUp(root) {
    const form = root.querySelector("form");
    const sliders = root.querySelectorAll("input[type=range]");

    function update() {
      const values = { tied: form.elements.tied.checked, loss: form.elements.loss.value };
      let valid = true;
      for (const name of NUMBERS) {
        const field = form.elements[name];
        const v = field.value.trim() === "" ? NaN : Number(field.value);
        field.setAttribute("aria-invalid", String(!Number.isFinite(v)));
        valid = valid && Number.isFinite(v);
        values[name] = v;
      }
      if (!valid) return; // 输入不完整时保留上一次的结果
      root.dataset.mode = values.tied ? "tied" : "untied";
      root.dataset.loss = values.loss === "(out - y)^2" ? "squared" : "linear";
      const q = compute(values);
      for (const el of root.querySelectorAll("[data-input]")) el.textContent = format(values[el.dataset.input]);
      for (const el of root.querySelectorAll("[data-quantity]")) {
        const v = q[el.dataset.quantity];
        el.textContent = v === undefined ? "" : format(v);
      }
    }

    for (const slider of sliders) {
      const field = form.elements[slider.dataset.for];
      slider.addEventListener("input", () => { field.value = slider.value; update(); });
      field.addEventListener("input", () => { slider.value = field.value; });
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => setTimeout(() => {
      for (const slider of sliders) slider.value = form.elements[slider.dataset.for].value;
      update();
    }));
    update();
    root.hidden = false; // 没有 JavaScript 时整块保持隐藏，静态图和推导照样讲清楚
  }

  for (const root of document.querySelectorAll(".tied-explorer")) setUp(root);
})();
