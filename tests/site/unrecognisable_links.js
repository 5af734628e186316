// Links inside a block of text that are neither underlined (nor bordered) nor 3:1 against the
// text around them: axe's link-in-text-block, as Lighthouse 12 runs it and axe 4.12.1 does not.
// A text block is as axe defines it: the link is inline, and its nearest block-like ancestor
// holds more text outside links than inside them (a nav bar of links is no text block).
() => {
  const blockLike = ["block", "list-item", "table", "flex", "grid", "inline-block"];
  const isBlock = (el) => { const d = getComputedStyle(el).display; return blockLike.includes(d) || d.startsWith("table-"); };
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const over = (fg, bg) => { const a = fg.length > 3 ? fg[3] : 1; return [0, 1, 2].map((i) => fg[i] * a + bg[i] * (1 - a)); };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const shown = (el) => { for (; el; el = el.parentElement) if (parseFloat(getComputedStyle(el).opacity) === 0) return false; return true; };
  const bad = [];
  for (const a of document.querySelectorAll("a[href]")) {
    if (!a.getClientRects().length || !a.textContent.trim() || isBlock(a) || !shown(a)) continue;
    let block = a.parentElement;
    while (block && !isBlock(block)) block = block.parentElement;
    if (!block) continue;
    let outside = "", inside = "";
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest("a, button") && block.contains(n.parentElement.closest("a, button"))) inside += n.nodeValue;
      else outside += n.nodeValue;
    }
    if (outside.trim().length <= inside.trim().length) continue;  // not a text block
    const style = getComputedStyle(a);
    if (style.textDecorationLine.includes("underline") || parseFloat(style.borderBottomWidth) > 0) continue;
    const bg = background(a);
    const contrast = ratio(over(rgb(style.color), bg), over(rgb(getComputedStyle(block).color), bg));
    if (contrast < 3) bad.push(`${a.textContent.trim()} (${contrast.toFixed(2)}:1)`);
  }
  return bad;
}
