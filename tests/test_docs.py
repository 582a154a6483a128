"""The documentation site: built offline once per test session, then every page and every link checked, and a
few pages rendered in a real browser (headless Chromium)."""
import configparser, html, importlib, inspect, os, pkgutil, re, shutil, subprocess, sys, tempfile, warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CFG = configparser.ConfigParser()
CFG.read(ROOT / "settings.ini")
SETTINGS = CFG["DEFAULT"]
# One build per test run: under pytest-xdist (`--dist loadgroup`) every test of this group runs in the
# same worker, so two workers never build the site into the same folders at once.
pytestmark = pytest.mark.xdist_group("docs")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Modules whose every public parameter has a docments comment; the test keeps them there. Add a module
# when `python tools/param_docs.py` shows it at 100 %.
FULLY_DOCUMENTED = ["layernb.audio", "layernb.checkpoints", "layernb.cli", "layernb.conditional",
                    "layernb.core", "layernb.experiments", "layernb.fingerprint", "layernb.metrics",
                    "layernb.models", "layernb.moments", "layernb.pipeline", "layernb.plan", "layernb.plots",
                    "layernb.readwrite", "layernb.report", "layernb.results", "layernb.similarity",
                    "layernb.speech", "layernb.store", "layernb.subspace", "layernb.temporal", "layernb.text",
                    "layernb.toys", "layernb.widgets"]


_BUILD = {}


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if os.environ.get("LAYERNB_DOCS_SITE"): return Path(os.environ["LAYERNB_DOCS_SITE"])   # reuse a site built before
    if "failed" in _BUILD: pytest.fail(_BUILD["failed"])      # a failed build is not retried by every test
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path_factory.mktemp("numba-cache")))   # see test_notebooks.py
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--out", str(out)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if r.returncode:
        _BUILD["failed"] = f"the docs build failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
        pytest.fail(_BUILD["failed"])
    return out


@pytest.fixture(scope="session")
def pages(site) -> dict:
    "Every page of the site: path relative to the site -> its HTML."
    return {p.relative_to(site).as_posix(): p.read_text() for p in sorted(site.rglob("*.html"))
            if not p.relative_to(site).parts[0].startswith("_")}


def rendered_dom(page: Path, query: str = "", wait_ms: int = 0) -> str:
    "The page's DOM after the browser has loaded and laid it out (scripts run)."
    if CHROMIUM is None: pytest.skip("needs chromium (Debian package `chromium`) for the browser check")
    extra = [f"--virtual-time-budget={wait_ms}"] if wait_ms else []
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([CHROMIUM, *FLAGS, *extra, f"--user-data-dir={profile}", "--dump-dom", page.as_uri() + query],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def visible_text(dom: str, drop=("script", "style")) -> str:
    "The text a reader sees: tags (and scripts, styles) removed, entities decoded, spaces collapsed."
    dom = re.sub(rf"<({'|'.join(drop)})\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", dom)))


def main_text(page_html: str) -> str:
    "The visible text of the article (no navigation), without code, formulas (MathML) and scripts."
    m = re.search(r"<article\b.*?</article>", page_html, flags=re.S)
    return visible_text(m.group(0) if m else page_html, drop=("script", "style", "pre", "math", "code"))


def public_modules() -> dict:
    import layernb
    return {f"layernb.{m.name}": importlib.import_module(f"layernb.{m.name}")
            for m in pkgutil.iter_modules(layernb.__path__) if not m.name.startswith("_")}


def test_every_notebook_has_a_page(site):
    for nb in (ROOT / "nbs").rglob("*.ipynb"):
        rel = nb.relative_to(ROOT / "nbs")
        if any(p.startswith((".", "_")) for p in rel.parts): continue
        assert (site / rel.with_suffix(".html")).exists(), rel


def test_every_link_resolves(site, pages):
    "Every href of every page: a page of the site with the anchor it names, or a source link into the repository."
    git_url = SETTINGS["git_url"].rstrip("/") + "/blob/" + SETTINGS["branch"] + "/"
    doc_host = SETTINGS["doc_host"].rstrip("/")
    ids = {rel: set(re.findall(r'\bid="([^"]+)"', text)) for rel, text in pages.items()}
    bad = []
    for rel, text in pages.items():
        for href in re.findall(r'\bhref="([^"]*)"', text):
            href = html.unescape(href)
            if href.startswith(("mailto:", "javascript:")) or href in ("#", ""): continue
            u = urlsplit(href)
            if u.scheme:
                if href.startswith(doc_host): bad.append((rel, href, "placeholder doc_host"))
                elif href.startswith(git_url):
                    path = ROOT / u.path[len(urlsplit(git_url).path):]
                    line = re.fullmatch(r"L(\d+)", u.fragment or "L1")
                    if not path.is_file(): bad.append((rel, href, "no such file in the repository"))
                    elif not line or int(line.group(1)) > len(path.read_text().splitlines()):
                        bad.append((rel, href, "line past the end of the file"))
                elif u.scheme != "https": bad.append((rel, href, "not https"))
                # other external pages cannot be fetched offline: they must at least be https
                continue
            target = (site / rel).parent / unquote(u.path) if u.path else site / rel
            if target.is_dir(): target = target / "index.html"
            if not target.exists(): bad.append((rel, href, "no such file")); continue
            trel = target.resolve().relative_to(site.resolve()).as_posix()
            if u.fragment and trel in ids and unquote(u.fragment) not in ids[trel]:
                bad.append((rel, href, "no such anchor"))
    assert not bad, f"{len(bad)} broken links, e.g.\n" + "\n".join(map(str, bad[:30]))


def test_symbol_links_go_to_their_own_entry(pages):
    "A backticked name in prose links to the page that documents it, at its own anchor."
    text = pages["index.html"]
    assert 'href="00_core.html#layernb.core.Frames"' in text
    assert 'id="layernb.core.Frames"' in pages["00_core.html"]


def test_no_raw_latex_on_any_page(pages):
    raw = re.compile(r"\$\$|\\\(|\\\[|\$[^$\s][^$]*\$|\\(frac|operatorname|mathbf|sum|lceil|prod|sigma|mu|qquad)\b")
    found = {rel: raw.search(main_text(text)).group(0) for rel, text in pages.items() if raw.search(main_text(text))}
    assert not found, found
    for rel in ["03_conditional.html", "06_audio.html", "07_speech.html"]:
        assert pages[rel].count("<math") > 3, rel          # their formulas, as MathML


def test_formulas_render_in_the_browser(site):
    dom = rendered_dom(site / "03_conditional.html")
    assert dom.count("<math") > 20                        # the page's formulas, as MathML elements
    text = visible_text(dom)
    assert "\\(" not in text and "$$" not in text and "\\operatorname" not in text   # no raw LaTeX left
    assert "conditional_cka" in text and "partial_correlation" in text


def test_sidebar_lists_every_page(pages):
    "The left sidebar of every page links every page of the site, under a readable title."
    content = [rel for rel in pages if rel not in ("index.html", "search.html", "genindex.html", "py-modindex.html")]
    for rel, text in pages.items():
        nav = re.search(r'<nav class="bd-docs-nav bd-links".*?</nav>', text, flags=re.S)
        assert nav, f"{rel}: no sidebar"
        anchors = [(re.search(r'href="([^"#]*)', a).group(1), visible_text(t).strip())
                   for a, t in re.findall(r"<a ([^>]*)>(.*?)</a>", nav.group(0), flags=re.S)]
        links = {os.path.normpath(os.path.join(os.path.dirname(rel), h)) if h else rel: t for h, t in anchors}
        missing = [c for c in content if c not in links]
        assert not missing, f"{rel}: sidebar misses {missing}"
    titles = [links[c] for c in content]
    assert all(len(t) > 3 and not re.fullmatch(r"\d+_\w+", t) for t in titles), titles


def test_index_and_search_find_functions(site, pages):
    "Every exported function and class is an object of the site: in the general index, in search, with an anchor."
    from sphinx.util.inventory import InventoryFile
    with open(site / "objects.inv", "rb") as f:
        inv = InventoryFile.load(f, "", lambda a, b: b)
    objects = {name for kind, entries in inv.data.items() if kind.startswith("py:") for name in entries} \
        if hasattr(inv, "data") else {name for kind, entries in inv.items() if kind.startswith("py:") for name in entries}
    missing = [f"{m}.{n}" for m, mod in public_modules().items() for n in getattr(mod, "__all__", [])
               if (inspect.isfunction(getattr(mod, n)) or inspect.isclass(getattr(mod, n))) and f"{m}.{n}" not in objects]
    assert not missing, f"not in the index: {missing}"
    genindex = pages["genindex.html"]
    assert "residualize" in genindex and "Frames" in genindex
    dom = rendered_dom(site / "search.html", "?q=residualize", wait_ms=8000)
    results = visible_text(dom[dom.find('id="search-results"'):])
    assert "layernb.conditional.residualize" in results.replace(" ", "") or "residualize (Python function" in results, results[:500]


def test_no_api_entry_twice(pages):
    "Each documented object appears once (nbdev used to add a second show_doc for `@patch` methods shown explicitly)."
    for rel, text in pages.items():
        sources = re.findall(r'href="([^"]*#L\d+)"', text)
        dup = {s for s in sources if sources.count(s) > 1}
        assert not dup, f"{rel}: {sorted(dup)[:5]}"
        objs = re.findall(r'\bid="(layernb\.[^"]+)"', text)
        assert len(objs) == len(set(objs)), f"{rel}: {sorted({o for o in objs if objs.count(o) > 1})[:5]}"
    assert "Call self as a function" not in "".join(pages.values())


def test_api_summary_lists_every_public_name(pages):
    text = visible_text(pages["api.html"])
    for m, mod in public_modules().items():
        for n in getattr(mod, "__all__", []):
            assert re.search(rf"\b{re.escape(n)}\b", text), f"{m}.{n} missing from the API summary"
    import layernb
    assert layernb.__version__ in text


def test_version_is_shown(site):
    import layernb
    assert f"layernb {layernb.__version__}" in visible_text(rendered_dom(site / "00_core.html"))


def test_home_page_renders(site):
    dom = rendered_dom(site / "index.html")
    text = visible_text(dom)
    assert "Layerwise representation analysis" in text
    assert "Frames.from_padded(x, lengths, frame_rate=50)" in text   # the worked example's code
    assert 'href="00_core.html"' in dom                              # navigation to the API pages


def test_home_page_and_readme_install_alike(pages):
    "The README's set-up commands are the home page's, word for word."
    readme = (ROOT / "README.md").read_text()
    setup = readme[readme.index("## Set up"):].split("\n## ")[0]
    commands = re.findall(r"```sh\n(.*?)```", setup, flags=re.S)
    assert len(commands) == 2, commands   # install + demo, install + tests
    home = visible_text(pages["index.html"])
    for c in commands: assert " ".join(c.split()) in home, c
    assert "pip install layernb" not in home


# Pages whose saved outputs still print temporary paths, with the notebook's owner: the test names them
# until they are fixed (remove an entry once its notebook prints relative names).
TEMP_PATHS_KNOWN: dict[str, str] = {}


def test_citations_link_to_the_references(pages):
    "Every page names a cited work only as a link to its entry on the References page; every entry links to the work."
    from build_docs import citations
    cites = citations()
    refs = pages["references.html"]
    for key in cites.values():
        entry = re.search(rf'<span id="{key}"></span>(.*?)</li>', refs, re.S)
        assert entry and 'href="https://' in entry.group(1), f"references.html: no linked entry {key}"
    for name, page in pages.items():
        if name in ("references.html", "api.html"): continue   # the API summary: one line per name, linking to its page
        text = re.sub(r"<pre.*?</pre>|<code.*?</code>|<a [^>]*>.*?</a>|<script.*?</script>", "", page, flags=re.S)
        bare = [c for c in cites if re.search(r"(?<![\w-])" + re.escape(html.escape(c)) + r"(?![\w-])", text)]
        assert not bare, f"{name} cites {bare} without a link to references.html"


def test_faq_page(pages):
    "A FAQ / troubleshooting page, listed on the home page."
    assert "faq.html" in pages and "troubleshooting" in pages["faq.html"].lower()
    assert 'href="faq.html"' in pages["index.html"]


def test_no_temporary_paths(pages):
    "Saved outputs print relative names: no temporary folder or home directory of the machine that ran them."
    pat = re.compile(r"/tmp/|/var/folders/|/private/var/|/home/\w+|/root/|/work/|C:\\\\Users|" + re.escape(tempfile.gettempdir() + "/"))
    found = {rel: pat.search(visible_text(t)).group(0) for rel, t in pages.items() if pat.search(visible_text(t))}
    assert not set(found) - set(TEMP_PATHS_KNOWN), found
    if found: warnings.warn(f"temporary paths still shown on {sorted(found)} (known: {TEMP_PATHS_KNOWN})")


def test_api_page_renders_signatures_and_docstrings(site):
    text = visible_text(rendered_dom(site / "00_core.html"))
    for want in ["Frames.from_padded", "def from_padded(", "frame_rate:float | None=None",
                 "Frames.window", "LayerSet.align", "Frames from a padded", "One mean vector per sequence",
                 "first time step"]:                                  # a parameter's docments comment
        assert want in text, want


def test_parameter_docs():
    "Share of public parameters with a docments comment, per module; modules at 100 % stay there."
    from param_docs import parameter_docs, report
    counts = report(show_missing=False)          # printed with `pytest -s`
    assert set(FULLY_DOCUMENTED) <= set(counts)
    for m in FULLY_DOCUMENTED:
        done, total, missing = parameter_docs(m)
        assert done == total, f"{m}: undocumented parameters {missing}"
