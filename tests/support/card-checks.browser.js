// Runs inside Chromium, after adaptivecards' own bundle (dist/adaptivecards.min.js) has set window.AdaptiveCards.
// Kept as plain JavaScript so nothing between vitest and the page rewrites it.
(() => {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const inline = (s) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
  /** The part of Teams' markdown our cards use: bold, links, and "- " lists. */
  function markdown(text) {
    const out = [];
    let list = [];
    const flush = () => {
      if (list.length) out.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join('')}</ul>`);
      list = [];
    };
    for (const line of text.split('\n')) {
      if (/^- /.test(line)) list.push(line.slice(2));
      else {
        flush();
        out.push(`<p>${inline(line)}</p>`);
      }
    }
    flush();
    return out.join('');
  }

  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };

  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const [r, g, b, a = '1'] = m[1].split(/[,\s/]+/).filter(Boolean);
    return [Number(r), Number(g), Number(b), Number(a)];
  };
  const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  /** The colour behind an element: its ancestors' backgrounds, composed from the page up. */
  function backgroundOf(el) {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]);
  }
  // WCAG 2.2 relative luminance and contrast ratio (w3.org/TR/WCAG22/#dfn-contrast-ratio).
  const lum = ([r, g, b]) =>
    [r, g, b].map((v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };

  const short = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
  const textNodes = (root) => {
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, { acceptNode: (n) => (n.nodeValue.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT) });
    const out = [];
    for (let n = w.nextNode(); n; n = w.nextNode()) out.push(n);
    return out;
  };
  /** Words of an element that the browser split over two lines: the same word with rects on different lines. */
  function brokenWords(el, only) {
    const broken = [];
    for (const node of textNodes(el)) {
      for (const m of node.nodeValue.matchAll(/\S+/g)) {
        if (only && !only.test(m[0])) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    return broken;
  }

  const TEXT = '.ac-textBlock, .ac-richTextBlock, .ac-fact-title, .ac-fact-value';
  const REFERENCE = /[A-Z]{2,}-\d+/;

  /** Renders a card into #host and returns what a reader at this width would stumble on. */
  window.renderAndCheck = (payload, hostConfig, width) => {
    const host = document.getElementById('cs-card-host');
    host.innerHTML = '';
    host.style.width = `${width}px`;
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
    card.parse(payload);
    const rendered = card.render();
    if (!rendered) return [{ check: 'render', text: 'adaptivecards rendered nothing' }];
    host.appendChild(rendered);
    const findings = [];
    const box = rendered.getBoundingClientRect();

    // 1. No text (or button title) wider than its own box or the card.
    const overflowing = [];
    for (const el of rendered.querySelectorAll(`${TEXT}, .ac-pushButton, [role=columnheader], [role=cell]`)) {
      // A table cell and the text block inside it are one finding, not two.
      if (overflowing.some((o) => o.contains(el))) continue;
      const before = findings.length;
      const r = el.getBoundingClientRect();
      // The renderer clips inside the block too (a <p> with overflow: hidden), so each box inside it is measured.
      const clipped = [el, ...el.querySelectorAll('*')].find((n) => n.scrollWidth > n.clientWidth + 1);
      if (clipped) findings.push({ check: 'overflow', text: short(el), detail: `${clipped.scrollWidth}px of text in a ${clipped.clientWidth}px box` });
      else if (r.right > box.right + 0.5) findings.push({ check: 'overflow', text: short(el), detail: `ends ${Math.round(r.right - box.right)}px past the card` });
      if (findings.length > before) overflowing.push(el);
    }

    // 2. Headings and column headers keep each word whole; a reference like CS-0001 never wraps inside itself.
    for (const el of rendered.querySelectorAll('[role=heading], [role=columnheader]')) {
      const words = brokenWords(el);
      if (words.length) findings.push({ check: 'word-break', text: short(el), detail: `broken inside: ${words.join(', ')}` });
    }
    for (const el of rendered.querySelectorAll(TEXT)) {
      if (el.closest('[role=heading], [role=columnheader]')) continue;
      const words = brokenWords(el, REFERENCE);
      if (words.length) findings.push({ check: 'word-break', text: short(el), detail: `broken inside: ${words.join(', ')}` });
    }

    // 3. Text contrast of at least 4.5:1 (3:1 for large text), from computed colours.
    const seen = new Set();
    for (const block of rendered.querySelectorAll(TEXT)) {
      for (const node of textNodes(block)) {
        const el = node.parentElement;
        // The renderer's own required-field asterisk is hidden from screen readers and repeats what aria-required says.
        if (seen.has(el) || el.closest('[aria-hidden=true]')) continue;
        seen.add(el);
        const s = getComputedStyle(el);
        const bg = backgroundOf(el);
        const fg = over(parse(s.color), bg);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        const need = large ? 3 : 4.5;
        const got = ratio(fg, bg);
        if (got < need) findings.push({ check: 'contrast', text: short(el), detail: `${got.toFixed(2)}:1, needs ${need}:1 (${s.color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))` });
      }
    }
    return findings;
  };
})();
