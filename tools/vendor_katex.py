"""Vendor KaTeX for the blueprint page (``conslaw verify --out DIR`` writes ``DIR/index.html``).

The page must work offline from its folder, opened as a file: Chromium refuses web fonts loaded from ``file://``
(an opaque origin), so the fonts are inlined into the CSS as ``data:`` URLs (woff2 only: every browser that runs
KaTeX's JavaScript reads woff2).  Run once per KaTeX upgrade, from the npm registry's tarball:

    npm pack katex@0.19.1 && tar xzf katex-0.19.1.tgz
    python tools/vendor_katex.py package verification/catalogue/static/katex

It writes ``katex.min.js`` (unchanged), ``katex.min.css`` (fonts inlined) and ``LICENSE`` (MIT).
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import sys
from pathlib import Path

_FONT_FACE_SRC = re.compile(r"src:url\((fonts/[^)]+\.woff2)\) format\(\"woff2\"\)(,url\([^)]+\) format\(\"[a-z]+\"\))*")


def inline_fonts(css: str, dist: Path) -> str:
    """Each ``@font-face``'s ``src`` list replaced by its woff2 file as a data URL."""
    def data_url(match: re.Match) -> str:
        font = base64.b64encode((dist / match.group(1)).read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{font}) format("woff2")'

    out, n = _FONT_FACE_SRC.subn(data_url, css)
    if n == 0 or "fonts/" in out:
        raise SystemExit("unexpected katex.min.css: font sources not recognised")
    return out


def main(package: str, target: str) -> None:
    pkg, dest = Path(package), Path(target)
    version = json.loads((pkg / "package.json").read_text())["version"]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(pkg / "dist" / "katex.min.js", dest / "katex.min.js")
    shutil.copy(pkg / "LICENSE", dest / "LICENSE")
    css = inline_fonts((pkg / "dist" / "katex.min.css").read_text(), pkg / "dist")
    (dest / "katex.min.css").write_text(css)
    (dest / "VERSION").write_text(f"KaTeX {version} (npm registry), fonts inlined by tools/vendor_katex.py\n")
    print(f"KaTeX {version} vendored into {dest}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
