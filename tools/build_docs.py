"""Build the documentation site offline: nbdev's processed notebooks -> Sphinx (myst-nb, PyData theme).

`nbdev_docs` renders the same notebooks with quarto (`_quarto.yml` is kept for users who have it); quarto
cannot be installed on machines without internet access to its binary, so this script takes nbdev's
processed notebooks (`_proc/`, what `nbdev_proc_nbs` produces: show_doc cells executed, hidden cells
dropped, front matter extracted) and renders them with Sphinx. Stored outputs are shown as they are;
nothing is executed here except nbdev's show_doc cells.

Usage: python tools/build_docs.py [--out _docs]
"""
from __future__ import annotations

import argparse, fcntl, hashlib, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r"^#\|\s*([\w-]+)\s*:?\s*(.*)$")

CONF = """
import sys
sys.path.insert(0, {tools!r})
project = "layernb"
author = "layernb developers"
version = release = {version!r}
extensions = ["myst_nb", "sphinx_mathml"]
html_math_renderer = "mathml"
nb_execution_mode = "off"
nb_render_markdown_format = "myst"
myst_enable_extensions = ["dollarmath", "amsmath"]
html_theme = "pydata_sphinx_theme"
html_title = "layernb " + release
templates_path = ["_templates"]
html_sidebars = {{"**": ["sidebar-all"]}}
html_static_path = ["_static"]
html_css_files = ["layernb.css"]
html_theme_options = {{"navigation_with_keys": False, "show_toc_level": 2, "navbar_center": [],
                       "navbar_end": ["theme-switcher"], "navbar_persistent": ["search-button"],
                       "secondary_sidebar_items": ["page-toc"], "footer_start": ["copyright"],
                       "footer_end": ["sphinx-version"]}}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "conf.py"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]
"""

# The left sidebar: every page of the site (the theme's own sidebar shows only the children of the
# current top-level page, and every page here is top-level, so it was empty on every page).
SIDEBAR = """<nav class="bd-docs-nav bd-links" aria-label="Site navigation">
  <p class="bd-links__title" role="heading" aria-level="1">layernb {{ release }}</p>
  <div class="bd-toc-item navbar-nav">
    {{- generate_toctree_html("sidebar", startdepth=0, show_nav_level=1, maxdepth=1, collapse=False,
                              includehidden=True, titles_only=True) -}}
  </div>
</nav>
"""
# API entries (a py-object target right before show_doc's heading): a smaller, monospace heading than the prose sections
CSS = """.bd-links .caption-text { font-weight: 600; } .api-summary td:first-child { white-space: nowrap; }
span[id^="layernb."] + h2, span[id^="layernb."] + h3, span[id^="layernb."] + h4 {
  font-family: var(--pst-font-family-monospace); font-size: 1.3rem; margin-top: 2rem; }
"""


def proc_notebooks() -> Path:
    "Run nbdev's notebook processing (the work of `nbdev_proc_nbs`, without its quarto install step)."
    from nbdev import processors
    from nbdev.doclinks import _build_modidx
    from nbdev.serve import proc_nbs
    from nbdev.showdoc import showdoc_nm
    # nbdev 2.4 adds a show_doc cell after every exported definition not already shown, but compares the bare
    # name of a `@patch`ed method (`update`) with the shown name (`Moments.update`): each explicitly shown
    # patched method then appeared twice. Compare full names.
    def _def_names(cell, shown):
        cellp = cell.parsed_()
        return [showdoc_nm(o) for o in processors.concat(cellp) if isinstance(o, processors._def_types)
                and showdoc_nm(o) not in shown and (o.name[0] != '_' or o.name[:2] == '__')] if cellp else []
    processors._def_names = _def_names
    _build_modidx()
    return Path(proc_nbs(str(ROOT / "nbs"), n_workers=0, force=True))


def _directives(src: str) -> tuple[dict, str]:
    "Split nbdev/quarto `#|` directives from the start of a code cell."
    lines, dirs = src.splitlines(), {}
    while lines and DIRECTIVE.match(lines[0]):
        k, v = DIRECTIVE.match(lines[0]).groups()
        dirs[k] = v.strip().lower()
        lines.pop(0)
    return dirs, "\n".join(lines)


def _markdown(out: dict) -> str | None:
    "The text/markdown of an output, if it has one."
    md = out.get("data", {}).get("text/markdown")
    return None if md is None else ("".join(md) if isinstance(md, list) else md)


def _clean_show_doc(text: str) -> str:
    "show_doc's markdown: drop its leading horizontal rule (docutils refuses it there) and quarto link attributes."
    text = re.sub(r"^\s*---\s*\n", "", text)
    text = re.sub(r"\)\{target=\"_blank\"[^}]*\}", ")", text)     # quarto link attributes of the [source](...) link
    # quarto floats the [source] link (written before the heading) to the heading's right; here it goes under the heading
    m = re.match(r"\s*(\[source\]\([^)]*\))\s*\n+(#+ [^\n]*\n)", text)
    return text if m is None else m.group(2) + "\n" + m.group(1) + "\n" + text[m.end():]


FENCE = re.compile(r"(^\s*(?:```|~~~).*?^\s*(?:```|~~~)\s*$)", re.M | re.S)


def display_math_blocks(md: str) -> str:
    "Put each `$$...$$` on lines of its own: Jupyter renders display math inside a paragraph, myst does not."
    parts = FENCE.split(md)
    for i in range(0, len(parts), 2):                                  # outside fenced code only
        parts[i] = re.sub(r"[ \t]*\$\$(.+?)\$\$[ \t]*", lambda m: "\n\n$$" + m.group(1).strip() + "$$\n\n", parts[i], flags=re.S)
        parts[i] = re.sub(r"\n{3,}", "\n\n", parts[i])
    return "".join(parts)


class Symbols:
    "layernb's symbols as nbdev indexes them (`_modidx`): the Sphinx object each show_doc documents, and the site's URL of each."
    def __init__(self):
        import importlib, layernb._modidx as mi
        importlib.reload(mi)
        self.settings = mi.d["settings"]
        self.url2sym, self.page2syms = {}, {}
        for mod in mi.d["syms"].values():
            for sym, (url, _) in mod.items():
                self.url2sym[url] = sym
                self.page2syms.setdefault(url.split("#")[0], set()).add(sym)
        self.nbdev_page = {}          # nbdev's page name (core.html) -> this site's page (00_core.html)

    @property
    def host(self) -> str: return self.settings["doc_host"].rstrip("/") + "/" + self.settings["doc_baseurl"].strip("/") + "/"

    def resolve(self, nm: str, page: str) -> str | None:
        "The full name of `nm` (as written in a show_doc call on the notebook whose nbdev page is `page`)."
        cands = [s for s in self.page2syms.get(page, {}) if s.endswith("." + nm)]
        return min(cands, key=len) if cands else None


def _object_directive(full: str) -> str:
    "A Sphinx py-domain object for `full` (index entry, search entry, anchor `full`), typeset by show_doc's markdown instead."
    import importlib, inspect
    parts = full.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try: mod = importlib.import_module(".".join(parts[:i])); break
        except ImportError: continue
    names, obj, parent = parts[i:], mod, None
    for n in names: parent, obj = obj, inspect.getattr_static(obj, n, None)
    if inspect.isclass(obj): kind = "exception" if issubclass(obj, BaseException) else "class"
    elif isinstance(obj, property): kind = "property"
    elif isinstance(obj, (classmethod, staticmethod)) or (inspect.isclass(parent) and callable(obj)): kind = "method"
    elif callable(obj): kind = "function"
    else: kind = "data"
    return f"```{{py:{kind}}} {'.'.join(names)}\n:module: {mod.__name__}\n:no-typesetting:\n```\n\n"


SHOW_DOC = re.compile(r"^show_doc\(\s*([\w.]+)")
REF_ENTRY = re.compile(r'<span id="([\w-]+)"></span>\*\*([^*]+)\*\*')


def citations() -> dict[str, str]:
    "Short name of each cited work -> its anchor on the References page (nbs/references.ipynb lists them)."
    nb = json.loads((ROOT / "nbs" / "references.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return {short: key for key, short in REF_ENTRY.findall(text)}


def link_citations(md: str, page: str, cites: dict[str, str]) -> str:
    "Every mention of a cited work in prose (outside code and links) linked to its entry on the References page."
    if page == "references" or not cites: return md
    up = "../" * page.count("/")
    names = "|".join(map(re.escape, sorted(cites, key=len, reverse=True)))
    pattern = re.compile(r"(`[^`]*`|\$[^$]*\$|\[[^\]]*\]\([^)]*\)|<a [^>]*>.*?</a>)|(?<![\w-])(" + names + r")(?![\w-])")
    def sub(m): return m.group(1) or f'<a class="citation" href="{up}references.html#{cites[m.group(2)]}">{m.group(2)}</a>'
    return pattern.sub(sub, md)


def to_sphinx(nb: dict, page: str = "", syms: Symbols | None = None) -> dict:
    "Turn quarto conventions of a processed notebook into myst-nb ones (title cell, cell tags, show_doc as py objects)."
    cells, cites = [], citations()
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "raw" and src.strip().startswith("---"):
            fm = yaml.safe_load(src.strip().strip("-")) or {}
            text = f"# {fm.get('title', '')}\n\n" + (f"> {link_citations(fm['description'], page, cites)}\n" if fm.get("description") else "")
            cells.append({"cell_type": "markdown", "id": "title", "metadata": {}, "source": text})
            continue
        if c["cell_type"] == "markdown":
            c = dict(c, source=link_citations(display_math_blocks(src), page, cites))
        if c["cell_type"] == "code":
            dirs, body = _directives(src)
            tags = set(c.get("metadata", {}).get("tags", []))
            if dirs.get("echo") == "false": tags.add("remove-input")
            if dirs.get("output") == "false": tags.add("remove-output")
            if "hide" in dirs or dirs.get("include") == "false": continue
            m, mds = SHOW_DOC.match(body.strip()), [_markdown(o) for o in c.get("outputs", [])]
            if m and len(mds) == 1 and mds[0] is not None:     # a show_doc: its markdown, as a documented object
                full = syms.resolve(m.group(1), page) if syms else None
                text = (_object_directive(full) if full else "") + link_citations(_clean_show_doc(mds[0]), page, cites)
                cells.append({"cell_type": "markdown", "id": c.get("id", "sd"), "metadata": {}, "source": text})
                continue
            c = dict(c, source=body, metadata=dict(c.get("metadata", {}), tags=sorted(tags)))
        cells.append(c)
    return dict(nb, cells=cells)


def short_title(title: str, description: str, limit: int = 48) -> str:
    "A sidebar label: the page title and the first clause of its description, cut at a word (plain text: no markup)."
    title, description = title.replace("`", ""), (description or "").replace("`", "")
    clause = re.split(r"[:;.]\s|\s[—-]\s", (description or "").strip().rstrip("."), maxsplit=1)[0].strip()
    if not clause: return title
    if len(clause) > limit: clause = clause[:limit].rsplit(" ", 1)[0].rstrip(",") + " …"
    return f"{title} · {clause}"


def api_summary(syms: Symbols) -> str:
    "The API summary page (myst markdown): every public name of every module (its `__all__`), one line each."
    import importlib, inspect, pkgutil, layernb
    out = ["# API summary\n", f"Every public name of layernb {layernb.__version__}, module by module, with the first line of its "
           "docstring; each name links to its full entry.\n"]
    for info in sorted(pkgutil.iter_modules(layernb.__path__), key=lambda i: i.name):
        if info.name.startswith("_"): continue
        mod = importlib.import_module(f"layernb.{info.name}")
        names = getattr(mod, "__all__", [])
        if not names: continue
        doc = (inspect.getdoc(mod) or "").strip().splitlines()
        page = next((syms.nbdev_page[u.split("#")[0]] for u, s in syms.url2sym.items() if s.startswith(mod.__name__ + ".")), None)
        out.append(f"\n## `layernb.{info.name}`\n\n" + (f"{doc[0]} " if doc else "") + (f"(page: {{doc}}`{page[:-5]}`)" if page else "") + "\n\n")
        out.append('```{list-table}\n:header-rows: 1\n:class: api-summary\n\n* - name\n  - what it is\n')
        for n in names:
            obj = getattr(mod, n)
            if callable(obj) or inspect.isclass(obj):
                line = ((inspect.getdoc(obj) or "").strip().splitlines() or ["(no docstring)"])[0]
            else: line = f"constant: `{_short_repr(obj)}`"
            out.append(f"* - {{py:obj}}`{n} <layernb.{info.name}.{n}>`\n  - {line}\n")
        out.append("```\n")
    return "".join(out)


def _short_repr(obj, limit: int = 70) -> str:
    r = repr(obj).replace("`", "'")
    return r if len(r) <= limit else r[:limit] + " …"


HREF = re.compile(r'href="([^"]*)"')
IDS = re.compile(r'\bid="([^"]+)"')


def rewrite_symbol_links(out: Path, syms: Symbols):
    "Point nbdev's links to symbols (`doc_host` + nbdev page names) at this site's pages and the symbols' own anchors."
    pages = {p.relative_to(out).as_posix(): p for p in out.rglob("*.html")}
    ids = {rel: set(IDS.findall(p.read_text())) for rel, p in pages.items()}
    def target(url: str, here: str) -> str:
        path, _, anchor = url[len(syms.host):].partition("#")
        page = syms.nbdev_page.get(path)
        if page is None: return url
        full = syms.url2sym.get(url[len(syms.host):])
        while full and full not in ids.get(page, ()): full = full.rpartition(".")[0] if full.count(".") > 1 else None
        rel = Path(*[".."] * here.count("/"), page).as_posix()
        return rel + (f"#{full}" if full else "")
    for rel, p in pages.items():
        text = p.read_text()
        new = HREF.sub(lambda m: f'href="{target(m.group(1), rel)}"' if m.group(1).startswith(syms.host) else m.group(0), text)
        if new != text: p.write_text(new)


def build(out: Path) -> Path:
    "Build the site into `out`; one build of this checkout at a time (they share _proc/ and _docs_src/)."
    lock = Path(tempfile.gettempdir()) / f"layernb-docs-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]}.lock"
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        return _build(out)


def _toctree(caption: str, entries: list[tuple[str, str]]) -> str:
    return f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n:caption: {caption}\n\n" + "\n".join(f"{t} <{p}>" for t, p in entries) + "\n```\n"


def _build(out: Path) -> Path:
    from nbdev.doclinks import _nbpath2html
    proc = proc_notebooks()
    syms = Symbols()
    src = ROOT / "_docs_src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "_templates").mkdir(parents=True)
    (src / "_static").mkdir()
    (src / "_templates" / "sidebar-all.html").write_text(SIDEBAR)
    (src / "_static" / "layernb.css").write_text(CSS)
    modules, tutorials, reference = [], [], []
    for p in sorted(proc.rglob("*.ipynb")):
        rel = p.relative_to(proc)
        page, nbdev_page = rel.with_suffix("").as_posix(), _nbpath2html(rel).as_posix()
        syms.nbdev_page[nbdev_page] = page + ".html"
        nb = to_sphinx(json.loads(p.read_text()), nbdev_page, syms)
        dst = src / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        fm = next((yaml.safe_load("".join(c["source"]).strip().strip("-")) for c in json.loads(p.read_text())["cells"]
                   if c["cell_type"] == "raw"), None) or {}
        entry = (short_title(fm.get("title", page), fm.get("description", "")), page)
        if page == "index": index = nb
        else: (tutorials if "/" in page else modules if page[:1].isdigit() else reference).append(entry)
        dst.write_text(json.dumps(nb))
    (src / "api.md").write_text(link_citations(api_summary(syms), "api", citations()))
    toc = (_toctree("Tutorials", tutorials) + "\n" + _toctree("Modules", modules) + "\n"
           + _toctree("Reference", reference + [("API summary", "api")]))
    links = ("\n".join(f"- [{t}]({p}.ipynb)" for t, p in tutorials + modules + reference)
             + "\n- [API summary](api.md): every public name, one line each")
    index["cells"].append({"cell_type": "markdown", "id": "contents", "metadata": {}, "source": "## Contents\n\n" + links + "\n\n" + toc})
    (src / "index.ipynb").write_text(json.dumps(index))
    version = re.search(r"^version\s*=\s*(\S+)", (ROOT / "settings.ini").read_text(), re.M).group(1)
    (src / "conf.py").write_text(CONF.format(version=version, tools=str(ROOT / "tools")))
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(src), str(out)]
    subprocess.run(cmd, check=True)
    rewrite_symbol_links(out, syms)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_docs"))
    print(build(Path(ap.parse_args().out)))
