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

CONF = '''
import sys
sys.path.insert(0, {tools!r})
project = "layernb"
author = "layernb developers"
release = {version!r}
extensions = ["myst_nb", "sphinx_mathml"]
html_math_renderer = "mathml"
nb_execution_mode = "off"
nb_render_markdown_format = "myst"
myst_enable_extensions = ["dollarmath", "amsmath"]
html_theme = "pydata_sphinx_theme"
html_title = "layernb"
html_theme_options = {{"navigation_with_keys": False, "show_toc_level": 2}}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "conf.py"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]
'''


def proc_notebooks() -> Path:
    "Run nbdev's notebook processing (the work of `nbdev_proc_nbs`, without its quarto install step)."
    from nbdev.doclinks import _build_modidx
    from nbdev.serve import proc_nbs
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


def _clean_show_doc(out: dict) -> dict:
    "show_doc's markdown: drop its leading horizontal rule (docutils refuses it inside an output) and quarto link attributes."
    md = out.get("data", {}).get("text/markdown")
    if md is None: return out
    text = "".join(md) if isinstance(md, list) else md
    text = re.sub(r"^\s*---\s*\n", "", text)
    text = re.sub(r"\)\{target=\"_blank\"[^}]*\}", ")", text)     # quarto link attributes of the [source](...) link
    return dict(out, data=dict(out["data"], **{"text/markdown": text}))


def to_sphinx(nb: dict) -> dict:
    "Turn quarto conventions of a processed notebook into myst-nb ones (title cell, cell tags)."
    cells = []
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "raw" and src.strip().startswith("---"):
            fm = yaml.safe_load(src.strip().strip("-")) or {}
            text = f"# {fm.get('title', '')}\n\n" + (f"> {fm['description']}\n" if fm.get("description") else "")
            cells.append({"cell_type": "markdown", "id": "title", "metadata": {}, "source": text})
            continue
        if c["cell_type"] == "code":
            dirs, body = _directives(src)
            tags = set(c.get("metadata", {}).get("tags", []))
            if dirs.get("echo") == "false": tags.add("remove-input")
            if dirs.get("output") == "false": tags.add("remove-output")
            if "hide" in dirs or dirs.get("include") == "false": continue
            outs = [_clean_show_doc(o) for o in c.get("outputs", [])]
            c = dict(c, source=body, outputs=outs, metadata=dict(c.get("metadata", {}), tags=sorted(tags)))
        cells.append(c)
    return dict(nb, cells=cells)


def build(out: Path) -> Path:
    "Build the site into `out`; one build of this checkout at a time (they share _proc/ and _docs_src/)."
    lock = Path(tempfile.gettempdir()) / f"layernb-docs-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]}.lock"
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        return _build(out)


def _build(out: Path) -> Path:
    proc = proc_notebooks()
    src = ROOT / "_docs_src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir()
    pages = []
    for p in sorted(proc.rglob("*.ipynb")):
        rel = p.relative_to(proc)
        nb = to_sphinx(json.loads(p.read_text()))
        dst = src / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel.as_posix() != "index.ipynb": pages.append(rel.with_suffix("").as_posix())
        else: index = nb
        dst.write_text(json.dumps(nb))
    toc = "```{toctree}\n:hidden:\n:maxdepth: 1\n\n" + "\n".join(pages) + "\n```\n"
    index["cells"].append({"cell_type": "markdown", "id": "contents", "metadata": {}, "source": "## Contents\n\n" + "\n".join(
        f"- [{pg}]({pg}.ipynb)" for pg in pages) + "\n\n" + toc})
    (src / "index.ipynb").write_text(json.dumps(index))
    version = re.search(r"^version\s*=\s*(\S+)", (ROOT / "settings.ini").read_text(), re.M).group(1)
    (src / "conf.py").write_text(CONF.format(version=version, tools=str(ROOT / "tools")))
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(src), str(out)]
    subprocess.run(cmd, check=True)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_docs"))
    print(build(Path(ap.parse_args().out)))
