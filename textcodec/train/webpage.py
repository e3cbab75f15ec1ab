"""Web pages rendered by a headless browser, with every word's box: real screens' text.

ScreenSynth draws its pages with PIL; a browser lays out and rasterises text the way users'
screens show it (hinting, subpixel positioning, font fallback, CSS boxes). ``page_html``
writes a random page (navigation bar, optional sidebar, headings, paragraphs, buttons, a table,
a code block, a form, a list; light or dark theme; 10-16 px body text in an installed font),
whose script reports each word's client rectangles (``Range.getClientRects``) into the DOM;
``render`` runs Chromium twice on it, once for the screenshot and once to dump that DOM, and
returns the image and the words whose boxes lie wholly inside the viewport.
``tools/render_pages.py`` renders a folder of them for the training pack (the GPU machine has
no browser): ``PAGE.png`` + ``PAGE.json`` each, read by ``MixedDataset``'s ``web`` source.
"""

from __future__ import annotations

import html
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from textcodec.errors import InputError
from textcodec.words import Word

WORDS = Path(__file__).resolve().parent.parent / "data" / "words.txt"
# families seen on Debian with fonts-croscore, fonts-liberation2, fonts-dejavu, fonts-noto-core,
# fonts-firacode and fonts-inconsolata; a missing one falls back to the browser's default
SANS = ("Arimo", "Liberation Sans", "DejaVu Sans", "Noto Sans", "Carlito")
SERIF = ("Tinos", "Liberation Serif", "DejaVu Serif", "Noto Serif")
MONO = ("Cousine", "Liberation Mono", "DejaVu Sans Mono", "Fira Code", "Inconsolata")
THEMES = (  # background, text, muted text, panel, accent, text on accent
    ("#ffffff", "#1f2328", "#656d76", "#f6f8fa", "#0969da", "#ffffff"),
    ("#fafafa", "#202124", "#5f6368", "#f1f3f4", "#1a73e8", "#ffffff"),
    ("#0d1117", "#e6edf3", "#7d8590", "#161b22", "#2f81f7", "#ffffff"),
    ("#1e1e1e", "#d4d4d4", "#9d9d9d", "#252526", "#0e639c", "#ffffff"),
    ("#fffdf7", "#3b3226", "#7a6e5d", "#f3eee3", "#b35c1e", "#ffffff"),
    ("#f5f7fb", "#172b4d", "#5e6c84", "#ebecf0", "#36b37e", "#ffffff"))
# the page's script: every word of every text node, one entry per line box it occupies
REPORT = """<script>
const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) {
  if (n.parentElement.closest('script,style')) continue;
  const re = /\\S+/g;
  for (let m = re.exec(n.textContent); m; m = re.exec(n.textContent)) {
    const r = document.createRange();
    r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
    for (const b of r.getClientRects()) out.push([m[0], b.left, b.top, b.width, b.height]);
  }
}
const pre = document.createElement('pre');
pre.id = 'tc-words'; pre.style.display = 'none'; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--hide-scrollbars", "--force-device-scale-factor=1")


def page_rng(seed: int, i: int) -> random.Random:
    """The generator of page ``i`` of a set rendered with ``seed`` (tools/render_pages.py and
    the bench's web set: distinct seeds give distinct pages for up to 100,003 pages a set)."""
    return random.Random(seed * 100_003 + i)


def _vocabulary() -> list[str]:
    return WORDS.read_text().split()


def _text(rng: random.Random, vocab: list[str], n: int, caps: bool = False) -> str:
    words = []
    for _ in range(n):
        r = rng.random()
        w = (str(rng.randint(0, 9999)) if r < 0.06 else
             f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(1990, 2030)}" if r < 0.08
             else rng.choice(vocab))
        words.append(w.capitalize() if caps and not words else w)
    return html.escape(" ".join(words))


def page_html(rng: random.Random, width: int, height: int,
              vocab: list[str] | None = None) -> str:
    """A random page of ``width`` x ``height`` CSS pixels (its overflow is cut at the viewport)."""
    vocab = vocab or _vocabulary()
    bg, fg, muted, panel, accent, on_accent = rng.choice(THEMES)
    body = rng.choice(SANS + SERIF if rng.random() < 0.3 else SANS)
    mono = rng.choice(MONO)
    size = rng.randint(10, 16)
    head = rng.randint(size + 3, size + 14)
    t = lambda n, caps=False: _text(rng, vocab, n, caps)  # noqa: E731
    nav = "".join(f'<a>{t(1, True)}</a>' for _ in range(rng.randint(3, 8)))
    parts = [f'<h1>{t(rng.randint(2, 6), True)}</h1>']
    blocks = ["p", "p", "buttons", "table", "code", "form", "list", "h2"]
    for _ in range(rng.randint(6, 14)):   # enough to fill most viewports; the rest is cut
        kind = rng.choice(blocks)
        if kind == "p":
            parts.append(f"<p>{t(rng.randint(12, 70), True)}</p>")
        elif kind == "h2":
            parts.append(f"<h2>{t(rng.randint(2, 5), True)}</h2>")
        elif kind == "buttons":
            parts.append('<div class="row">' + "".join(
                f'<span class="btn{" primary" if i == 0 else ""}">{t(rng.randint(1, 2), True)}'
                "</span>" for i in range(rng.randint(2, 5))) + "</div>")
        elif kind == "table":
            cols = rng.randint(2, 5)
            rows = "".join("<tr>" + "".join(f"<td>{t(rng.randint(1, 3))}</td>"
                                            for _ in range(cols)) + "</tr>"
                           for _ in range(rng.randint(2, 7)))
            heads = "".join(f"<th>{t(1, True)}</th>" for _ in range(cols))
            parts.append(f"<table><tr>{heads}</tr>{rows}</table>")
        elif kind == "code":
            lines = "\n".join("    " * rng.randint(0, 2) + t(rng.randint(2, 8))
                              for _ in range(rng.randint(2, 8)))
            parts.append(f"<pre>{lines}</pre>")
        elif kind == "form":
            parts.append('<div class="form">' + "".join(
                f'<label>{t(rng.randint(1, 3), True)}</label><div class="input">'
                f'{t(rng.randint(1, 4))}</div>' for _ in range(rng.randint(1, 4))) + "</div>")
        else:
            parts.append("<ul>" + "".join(f"<li>{t(rng.randint(2, 9), True)}</li>"
                                          for _ in range(rng.randint(2, 6))) + "</ul>")
    side = ""
    if rng.random() < 0.5:
        side = ('<div class="side">' + "".join(f"<div>{t(rng.randint(1, 3), True)}</div>"
                                                for _ in range(rng.randint(4, 14))) + "</div>")
    style = f"""
html, body {{ margin: 0; width: {width}px; height: {height}px; overflow: hidden; }}
body {{ background: {bg}; color: {fg}; font: {size}px "{body}"; line-height: 1.45; }}
.nav {{ background: {accent}; color: {on_accent}; padding: 8px 14px; white-space: nowrap; }}
.nav a {{ margin-right: 18px; }}
.wrap {{ display: flex; }}
.side {{ width: {rng.randint(140, 240)}px; background: {panel}; color: {muted};
         padding: 10px; flex: none; }}
.side div {{ padding: 3px 0; }}
.main {{ padding: {rng.randint(8, 24)}px {rng.randint(12, 40)}px; flex: 1; }}
h1 {{ font-size: {head}px; margin: 4px 0 10px; }}
h2 {{ font-size: {max(size + 2, head - 4)}px; margin: 12px 0 6px; }}
p {{ margin: 6px 0; max-width: {rng.randint(500, 1100)}px; }}
.row {{ margin: 8px 0; }}
.btn {{ display: inline-block; border: 1px solid {muted}; border-radius: 5px;
        padding: 3px 10px; margin-right: 8px; background: {panel}; }}
.btn.primary {{ background: {accent}; color: {on_accent}; border-color: {accent}; }}
table {{ border-collapse: collapse; margin: 8px 0; }}
td, th {{ border: 1px solid {muted}; padding: 2px 8px; text-align: left; }}
th {{ background: {panel}; }}
pre {{ font: {max(10, size - 1)}px "{mono}"; background: {panel}; padding: 8px;
       margin: 8px 0; }}
.form label {{ display: block; color: {muted}; margin-top: 6px; }}
.input {{ border: 1px solid {muted}; border-radius: 3px; padding: 2px 6px;
          width: {rng.randint(180, 420)}px; white-space: nowrap; }}
ul {{ margin: 6px 0; padding-left: 22px; }}"""
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
            f'<body><div class="nav">{nav}</div><div class="wrap">{side}'
            f'<div class="main">{"".join(parts)}</div></div>{REPORT}</body></html>')


def save(folder: Path, name: str, image: np.ndarray, words: list[Word]) -> None:
    """``NAME.png`` and ``NAME.json`` (each word as [text, cx, cy, width, height])."""
    Image.fromarray(image).save(folder / f"{name}.png")
    (folder / f"{name}.json").write_text(json.dumps(
        [[w.text, round(w.cx, 2), round(w.cy, 2), round(w.width, 2), round(w.height, 2)]
         for w in words]))


def load(png: Path) -> tuple[np.ndarray, list[Word]]:
    """A page ``save`` wrote."""
    words = [Word(t, cx, cy, w, h) for t, cx, cy, w, h
             in json.loads(png.with_suffix(".json").read_text())]
    return np.asarray(Image.open(png).convert("RGB")), words


def browser() -> str | None:
    """The headless browser to render with (Debian's chromium), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(page: str, width: int, height: int,
           exe: str | None = None) -> tuple[np.ndarray, list[Word]]:
    """The page's screenshot (height, width, 3) and its words wholly inside the viewport."""
    exe = exe or browser()
    if exe is None:
        raise InputError("no headless browser: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        src, png = Path(tmp) / "page.html", Path(tmp) / "page.png"
        src.write_text(page, encoding="utf-8")
        flags = [*BROWSER_FLAGS, f"--window-size={width},{height}",
                 f"--user-data-dir={tmp}/profile"]
        subprocess.run([exe, *flags, f"--screenshot={png}", src.as_uri()],
                       capture_output=True, check=True, timeout=60)
        dom = subprocess.run([exe, *flags, "--virtual-time-budget=2000", "--dump-dom",
                              src.as_uri()], capture_output=True, check=True, timeout=60,
                             text=True).stdout
        image = np.asarray(Image.open(png).convert("RGB"))
    start = dom.find('id="tc-words"')
    if start < 0:
        raise InputError("the browser ran no script on the page (no word boxes came back)")
    blob = html.unescape(dom[dom.index(">", start) + 1:dom.index("</pre>", start)])
    words = [Word(text, x + w / 2, y + h / 2, w, h) for text, x, y, w, h in json.loads(blob)
             if x >= 0 and y >= 0 and x + w <= width and y + h <= height and w > 0 and h > 0]
    return image, words
