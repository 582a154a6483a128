"""The documentation site builds offline and renders in a real browser (headless Chromium)."""
import html, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# One build per test run: under pytest-xdist (`--dist loadgroup`) every test of this group runs in the
# same worker, so two workers never build the site into the same folders at once.
pytestmark = pytest.mark.xdist_group("docs")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp("numba-cache")))   # see test_notebooks.py
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--out", str(out)], cwd=ROOT, env=env, check=True)
    return out


def rendered_dom(page: Path) -> str:
    "The page's DOM after the browser has loaded and laid it out (scripts run)."
    if CHROMIUM is None: pytest.skip("needs chromium (Debian package `chromium`) for the browser check")
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def visible_text(dom: str) -> str:
    "The text a reader sees: tags (and scripts, styles) removed, entities decoded, spaces collapsed."
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", dom)))


def test_every_module_has_a_page(site):
    for nb in (ROOT / "nbs").glob("[0-9]*.ipynb"):
        assert (site / f"{nb.stem}.html").exists(), nb.stem


def test_home_page_renders(site):
    dom = rendered_dom(site / "index.html")
    text = visible_text(dom)
    assert "Layerwise representation analysis" in text
    assert "Frames.from_padded(x, lengths, frame_rate=50)" in text   # the worked example's code
    assert 'href="00_core.html"' in dom                              # navigation to the API pages


def test_api_page_renders_signatures_and_docstrings(site):
    text = visible_text(rendered_dom(site / "00_core.html"))
    for want in ["Frames.from_padded", "def from_padded(", "lengths, frame_rate:float | None=None",
                 "Frames.window", "LayerSet.align", "Frames from a padded", "One mean vector per sequence"]:
        assert want in text, want


def test_formulas_render_as_mathml(site):
    dom = rendered_dom(site / "03_conditional.html")
    assert dom.count("<math") > 20                        # the page's formulas, as MathML elements
    text = visible_text(dom)
    assert "\\(" not in text and "$$" not in text and "\\operatorname" not in text   # no raw LaTeX left
    assert "conditional_cka" in text and "partial_correlation" in text
