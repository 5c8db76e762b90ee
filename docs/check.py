"""Build the docs and check what a reader would hit: broken links and anchors, math
that would not render offline.

    python docs/check.py                 # build into docs/_build/html, then check
    python docs/check.py --site DIR      # check a site built already
    python docs/check.py --external      # also Sphinx's linkcheck of web links (needs a network)

Exit status 0 when every check passes; otherwise each problem is printed, one a line.

What is checked, page by page of the built HTML:

- links: every link inside the site reaches a file that exists and, when it names an
  anchor (``page.html#section``), an element with that id. Sphinx's ``linkcheck``
  builder reports links between pages as "local" without opening them, and the build's
  own warnings only cover cross-references, so the pages are walked here;
- math, offline: no page loads a script from the network; a page with math loads the
  MathJax copied into the site (``_static/mathjax``); and no TeX (``\\(``, ``\\[``,
  ``$$``, ``:math:``) is left in the text outside the elements MathJax typesets.
"""
from __future__ import annotations

import argparse
import html.parser
import pathlib
import re
import subprocess
import sys
import urllib.parse

DOCS = pathlib.Path(__file__).resolve().parent
MATHJAX = "_static/mathjax/tex-chtml.js"
_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr")
# TeX left for a reader to see: \( \[ $$, an inline $...\command...$, or MyST's role text
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|(?<![\w$])\$(?=[^$\s])[^$\n]*\\[a-zA-Z]+[^$\n]*\$|:math:`")


class Page(html.parser.HTMLParser):
    """A page's script sources, ids, links, and its text outside math and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.math_elements = 0
        self._math = 0        # > 0 inside a math element (its TeX is MathJax's to typeset)
        self._code = 0        # > 0 inside <script>/<style>/<pre>/<code> (code is not TeX)
        self._stack: list[tuple[bool, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag in _VOID:
            return
        is_math = "math" in (a.get("class") or "").split()
        is_code = tag in ("script", "style", "pre", "code")
        self.math_elements += is_math
        self._stack.append((is_math, is_code))
        self._math += is_math
        self._code += is_code

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])

    def handle_endtag(self, tag):
        if tag in _VOID or not self._stack:
            return
        is_math, is_code = self._stack.pop()
        self._math -= is_math
        self._code -= is_code

    def handle_data(self, data):
        if not self._math and not self._code:
            self.text.append(data)


def parse(path: pathlib.Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pages(site: pathlib.Path) -> list[pathlib.Path]:
    """The site's pages (not the copied static files, not the highlighted sources)."""
    return sorted(p for p in site.rglob("*.html")
                  if "_static" not in p.parts and "_modules" not in p.parts)


def _remote(url: str) -> bool:
    return bool(urllib.parse.urlparse(url).scheme) or url.startswith("//")


def broken_links(site: pathlib.Path) -> list[str]:
    """Links inside the site whose file or anchor does not exist."""
    parsed = {p: parse(p) for p in pages(site)}
    broken = []
    for path, page in parsed.items():
        for href in page.links:
            if _remote(href) or href.startswith(("mailto:", "javascript:")):
                continue
            url = urllib.parse.urlparse(href)
            target = (path.parent / urllib.parse.unquote(url.path)).resolve() if url.path else path
            where = f"{path.relative_to(site)}: {href}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif url.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if urllib.parse.unquote(url.fragment) not in ids:
                    broken.append(f"{where} (no element with id {url.fragment!r})")
    return broken


def math_problems(site: pathlib.Path) -> tuple[list[str], int]:
    """Pages that load scripts from the network, have math without the local MathJax,
    or show raw TeX; and how many pages have math."""
    problems, with_math = [], 0
    if not (site / MATHJAX).is_file():
        problems.append(f"{MATHJAX} is missing: MathJax was not copied into the site")
    for path in pages(site):
        page, name = parse(path), path.relative_to(site)
        remote = [s for s in page.scripts if _remote(s)]
        if remote:
            problems.append(f"{name}: loads scripts from the network: {remote}")
        if page.math_elements:
            with_math += 1
            local = [urllib.parse.urlparse(s).path for s in page.scripts]  # drop ?v=hash
            local = [s for s in local if s.endswith("mathjax/tex-chtml.js")]
            if not local or (path.parent / local[0]).resolve() != (site / MATHJAX).resolve():
                problems.append(f"{name}: has math but does not load {MATHJAX}")
        text = "".join(page.text)
        for raw in RAW_TEX.finditer(text):
            problems.append(f"{name}: raw TeX: {text[max(raw.start() - 50, 0):raw.end() + 50]!r}")
    return problems, with_math


def build(out: pathlib.Path, builder: str = "html") -> int:
    """The documented build (warnings are errors); returns Sphinx's exit status."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
         "-d", str(out.parent / "doctrees"), str(DOCS), str(out)]).returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=pathlib.Path, help="a built HTML site (skips the build)")
    ap.add_argument("--external", action="store_true",
                    help="also run Sphinx's linkcheck builder on web links (needs a network)")
    args = ap.parse_args(argv)
    site = args.site
    if site is None:
        site = DOCS / "_build" / "html"
        if build(site):
            print("docs/check: the Sphinx build failed (warnings are errors)")
            return 1
    problems = broken_links(site)
    math, with_math = math_problems(site)
    problems += math
    if with_math == 0:
        problems.append("no page has math: the math check found nothing to check")
    if args.external and build(site.parent / "linkcheck", "linkcheck"):
        problems.append("Sphinx linkcheck found broken web links (see its output above)")
    for p in problems:
        print(p)
    n = len(pages(site))
    print(f"docs/check: {n} pages, {with_math} with math: "
          + ("all links and anchors resolve, math renders offline" if not problems
             else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
