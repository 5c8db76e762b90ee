"""The metadata is in setup.cfg; this file gives only the long description: the README
with its relative links and images made absolute, so the PyPI page renders them (on
GitHub and in the sdist the README keeps its relative links, which work there)."""
import configparser
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent


def absolute_links(text: str, source: str, ref: str = "main") -> str:
    """``[t](docs/x.md)`` -> ``[t](<source>/blob/<ref>/docs/x.md)`` and ``![a](p.png)`` ->
    ``![a](<source>/raw/<ref>/p.png)``; absolute URLs and ``#anchors`` are kept."""
    def repl(m: re.Match) -> str:
        bang, label, target = m.groups()
        if re.match(r"[a-z][a-z0-9+.-]*:|#", target):
            return m[0]
        kind = "raw" if bang else "blob"
        return f"{bang}[{label}]({source.rstrip('/')}/{kind}/{ref}/{target.lstrip('./')})"
    return re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", repl, text)


def long_description() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    urls = dict(line.split(" = ", 1) for line in
                cfg["metadata"]["project_urls"].strip().splitlines())
    return absolute_links((ROOT / "README.md").read_text(encoding="utf-8"),
                          urls["Source"].strip())


if __name__ == "__main__":
    from setuptools import setup

    setup(long_description=long_description())
