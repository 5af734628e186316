"""What the site publishes besides its pages: Material's palette stylesheet without one rule,
the snippets and notebooks as one zip for offline study, and the "verified with" line."""

from __future__ import annotations

import functools
import io
import logging
import re
import zipfile
from importlib import metadata
from pathlib import Path

from exec_cache.store import write_whole

log = logging.getLogger("mkdocs.plugins.d2l_site")

SWITCHING_RULE = re.compile(
    r"\[data-md-color-switching\] \*,\[data-md-color-switching\] :after,"
    r"\[data-md-color-switching\] :before\{[^{}]*\}"
)


def drop_palette_switching_rule(site: Path) -> None:
    """At every page load Material's palette sets, then removes, data-md-color-switching on
    <body>, and its one rule `[data-md-color-switching] *{transition-duration:0ms…}` makes each
    change restyle every element: twice ~0.25 s of blocking time on a throttled phone
    (Lighthouse performance of a notebook page 88 -> 96). Without the rule, switching between
    light and dark fades a few colours for 0.25 s instead of swapping them at once. No option
    or override removes one rule of Material's stylesheet, so the published copy is cut here."""
    for css in (site / "assets/stylesheets").glob("palette.*.min.css"):
        text = css.read_text(encoding="utf-8")
        cut, found = SWITCHING_RULE.subn("", text)
        if found:
            css.write_text(cut, encoding="utf-8")
        elif "data-md-color-switching" in text:  # Material changed it: say so (strict fails)
            log.warning(
                f"{css.name}: Material's palette-switching rule has changed; update d2l_site.publish.SWITCHING_RULE"
            )


def write_archive(target: Path, members: list[tuple[str, Path]]) -> None:
    """One zip of `members` (name in the zip, file), with fixed dates: the same bytes every build;
    written whole or not at all (serve may be sending the old one)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    write_whole(target, data.getvalue())


@functools.cache
def verified() -> str:
    """Which PyTorch printed this page's outputs, read at build time (as PyTorch tutorials' "Last Verified")."""
    return f'<span class="verified">本页输出由 PyTorch {metadata.version("torch")} 在构建网站时运行得到</span>'


def under_title(html: str, bar: str) -> str:
    """Put the page's notebook links and version line right under its <h1>."""
    end = html.find("</h1>")
    return html[: end + 5] + bar + html[end + 5 :] if end != -1 else bar + html


MERMAID = "assets/vendor/mermaid/mermaid.min.js"  # vendored from the npm registry (VERSION.txt beside it)


def with_mermaid(html: str, src: str) -> str:
    """The page with the vendored mermaid loaded before Material's bundle, if it has a diagram."""
    if 'class="mermaid' not in html and 'class="jp-Mermaid' not in html:  # an element, not a CSS rule
        return html
    bundle = re.search(r'<script src="[^"]*assets/javascripts/bundle\.', html)
    at = bundle.start() if bundle else html.rfind("</body>")
    return f'{html[:at]}<script src="{src}"></script>{html[at:]}'
