"""The blueprint page (``index.html``): its content as data, and in a real headless browser (Debian's chromium and
chromium-driver with selenium, which .ci/run installs): it loads from the folder as a file without console
errors, every formula is rendered by KaTeX with its fonts, and every result appears with its status."""
from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from conslaw.verification.catalogue.blueprint import dependency_graph, evidence, layered_positions
from conslaw.verification.catalogue.run import run_catalogue, write_reports
from conslaw.verification.catalogue.theorems import CATALOGUE, Instance, Result


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """The quick catalogue plus a scratch result that fails (ReLU [3, 2, 3] claimed to have 3 laws)."""
    relu = next(r for r in CATALOGUE if r.id == "tc25:prop-3.5-relu")
    wrong = Result("scratch:false-claim", "tc25", "A false claim", r"\text{ReLU } [3,2,3] \text{ has 3 laws}",
                   r"\text{none}", "count", relu.method, relu.failure, instances=(Instance("relu", (3, 2, 3)),),
                   formula=lambda inst: type(relu.formula(inst))(3, True, "claimed: 3"), depends=("tc25:prop-2.3",))
    d = tmp_path_factory.mktemp("blueprint")
    report = run_catalogue(list(CATALOGUE) + [wrong], out_dir=str(d))
    write_reports(report, str(d))
    return d, report


def test_page_holds_every_result_with_its_status_and_links(report_dir):
    d, report = report_dir
    page = (d / "index.html").read_text()
    for e in report["results"]:
        assert f'data-status="{e["status"]}"' in page and e["id"] in page
        for r in e["instances"]:
            if r.get("certificate"):
                assert (d / r["certificate"]).exists() and f'href="{r["certificate"]}"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert (d / "katex" / "katex.min.js").exists() and "fonts/" not in (d / "katex" / "katex.min.css").read_text()
    failing = next(e for e in report["results"] if e["id"] == "scratch:false-claim")
    assert evidence(failing) == "failed" and "counterexample" in failing["instances"][0]
    assert '&quot;certified_laws&quot;: 2' in page and '&quot;claimed&quot;: 3' in page  # the counterexample, shown


def test_dependency_layers_follow_the_edges():
    entries = [{"id": r.id, "title": r.title, "status": "holds", "method": r.method, "depends": list(r.depends)}
               for r in CATALOGUE]
    g = dependency_graph(entries)
    pos = layered_positions(g)
    assert set(pos) == {r.id for r in CATALOGUE}
    assert all(pos[u][0] < pos[v][0] for u, v in g.edges())
    assert len(set(pos.values())) == len(pos)  # no two nodes drawn on one spot


def _browser():
    """A headless Chromium driven by selenium, or a skip (a failure in CI, which installs them)."""
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(p)]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test needs {', '.join(missing)} (.ci/run installs them)")
        pytest.skip(f"no {', '.join(missing)}")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1300,2000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def test_page_renders_in_a_headless_browser_offline(report_dir, tmp_path):
    d, report = report_dir
    driver = _browser()
    try:
        driver.get((d / "index.html").as_uri())
        body = driver.find_element("tag name", "body")
        deadline = time.monotonic() + 20
        while body.get_attribute("data-math-rendered") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        n_tex = len(driver.find_elements("css selector", "[data-tex]"))
        assert int(body.get_attribute("data-math-rendered")) == n_tex > 2 * len(report["results"])
        assert body.get_attribute("data-math-failed") == "0"
        assert not driver.find_elements("css selector", ".katex-error")
        assert len(driver.find_elements("css selector", "[data-tex] .katex")) == n_tex
        fonts = driver.execute_async_script(
            "var done = arguments[0]; document.fonts.ready.then(function () {"
            " done([document.fonts.check('16px KaTeX_Main'), document.fonts.check('16px KaTeX_Math')]); });")
        assert fonts == [True, True]
        loaded = driver.execute_script(
            "return Array.from(document.fonts).filter(function (f) { return f.status === 'loaded'; })"
            ".map(function (f) { return f.family; });")
        assert any("KaTeX" in f for f in loaded)  # the inlined fonts were really used, not a fallback
        sections = {s.get_attribute("id"): s.get_attribute("data-status")
                    for s in driver.find_elements("css selector", "section.result")}
        from conslaw.verification.catalogue.blueprint import anchor

        assert sections == {anchor(e["id"]): e["status"] for e in report["results"]}
        nodes = driver.find_elements("css selector", "#dependency-graph a.node")
        assert {n.get_attribute("data-node") for n in nodes} == {e["id"] for e in report["results"]}
        assert driver.find_elements("css selector", "details.brackets svg")  # a bracket graph is drawn
        _check_layout(driver, report)
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == [], json.dumps(errors, indent=1)
        driver.save_screenshot(str(tmp_path / "blueprint.png"))
        assert (tmp_path / "blueprint.png").stat().st_size > 10_000
        if os.environ.get("CONSLAW_SCREENSHOT"):
            shutil.copy(tmp_path / "blueprint.png", os.environ["CONSLAW_SCREENSHOT"])
    finally:
        driver.quit()


_TOO_WIDE = """var w = window.innerWidth, out = [];
document.querySelectorAll('body *').forEach(function (e) {
  if (e.closest('.katex-mathml')) return;  /* KaTeX's hidden MathML copy, clipped to nothing */
  var r = e.getBoundingClientRect();
  if (r.right > w + 1) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
});
return [w, document.documentElement.scrollWidth, out.slice(0, 10)];"""


def _check_layout(driver, report):
    """Unique ids; nothing wider than a 1280 px viewport (and no sideways scrolling at 800 px); every heading
    that holds a formula rendered by KaTeX; no Markdown backtick shown; the bracket graph drawn with its edges
    where a trace needs brackets, and said in one line where the generators span it; ex-4.8's row shows its
    ranks, laws and points."""
    from conslaw.verification.catalogue.blueprint import anchor
    from conslaw.verification.report.prose import prose_parts

    dup = driver.execute_script(
        "var c = {}; document.querySelectorAll('[id]').forEach(function (e) { c[e.id] = (c[e.id] || 0) + 1; });"
        "return Object.keys(c).filter(function (k) { return c[k] > 1; });")
    assert dup == []
    for width in (1280, 800):
        driver.set_window_size(width + 20, 1000)
        time.sleep(0.3)
        inner, scroll, wide = driver.execute_script(_TOO_WIDE)
        assert abs(inner - width) <= 40 and scroll <= inner, (width, scroll, inner)
        if width == 1280:
            assert wide == [], wide
    driver.set_window_size(1300, 2000)
    for e in report["results"]:
        heading = driver.find_element("css selector", f"#{anchor(e['id'])} h2")
        if any(kind == "math" for kind, _ in prose_parts(e["title"])):
            assert heading.find_elements("css selector", ".katex"), e["id"]
        assert "\\" not in heading.text and "^{" not in heading.text, heading.text
    assert "`" not in driver.find_element("tag name", "body").text
    needs = driver.find_element("css selector", f"#{anchor('tc25:thm-2.11')} details.brackets")
    assert needs.find_elements("css selector", "svg line, svg path") and "[X0, X1]" in needs.text
    spans = driver.find_element("css selector", f"#{anchor('tc25:prop-3.5-relu')} p.brackets")
    assert "already span" in spans.text and not spans.find_elements("css selector", "svg")
    row = driver.find_element("css selector", f"#{anchor('tc25:ex-4.8')} tbody tr").text
    assert "ranks = " in row and "laws = " in row and "points: (" in row
