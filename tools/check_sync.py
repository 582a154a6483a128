"""Fail when `nbdev_export` or `nbdev_clean` would change a file: exported code in sync with the notebooks,
notebooks clean. Runs both on a scratch copy of the working tree, so nothing here is modified.

Also fails on a code cell that mixes imports with other code outside `#| export` cells: nbdev's docs
processing (`nbdev_proc_nbs`, `nbdev_docs`) executes every cell that contains an import, out of its
context, so such a cell breaks the docs build (the nbdev FAQ's rule: imports in a cell of their own)."""
from __future__ import annotations

import ast, filecmp, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    "Files git tracks plus untracked ones it does not ignore (what a commit would hold)."
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if (ROOT / f).is_file()]


EXEMPT = re.compile(r"#\|\s*(export|exports|exporti|exec_doc|hide)\b")


def mixed_import_cells(files: list[str]) -> list[str]:
    "Code cells (outside export/hidden cells) that contain an import and other code."
    bad = []
    for f in files:
        if not (f.startswith("nbs/") and f.endswith(".ipynb")): continue
        for i, c in enumerate(json.loads((ROOT / f).read_text())["cells"]):
            src = "".join(c["source"])
            if c["cell_type"] != "code" or "nbdev_export()" in src or EXEMPT.search(src): continue
            try: body = ast.parse(src).body
            except SyntaxError: continue
            imps = any(isinstance(n, (ast.Import, ast.ImportFrom)) for t in body for n in ast.walk(t))
            if imps and any(not isinstance(t, (ast.Import, ast.ImportFrom)) for t in body):
                bad.append(f"{f} cell {i}: {src.splitlines()[0][:60]!r}")
    return bad


def main() -> int:
    files = tracked_files()
    mixed = mixed_import_cells(files)
    if mixed:
        print("these cells mix imports with other code; nbdev's docs processing would execute them out of context.")
        print("Move the imports into a cell of their own:")
        for m in mixed: print("  ", m)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for f in files:
            (tmp / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, tmp / f, follow_symlinks=False)
        code = "from nbdev.doclinks import nbdev_export; from nbdev.clean import nbdev_clean; nbdev_export(); nbdev_clean()"
        subprocess.run([sys.executable, "-c", code], cwd=tmp, check=True)
        changed = [f for f in files if not (tmp / f).is_symlink() and not filecmp.cmp(ROOT / f, tmp / f, shallow=False)]
        created = [str(p.relative_to(tmp)) for p in (tmp / "layernb").rglob("*.py")
                   if str(p.relative_to(tmp)) not in files]
    if changed or created:
        print("nbdev_export / nbdev_clean would change these files:")
        for f in changed: print("  changed:", f)
        for f in created: print("  created:", f)
        print("Run `nbdev_export && nbdev_clean` and commit, so layernb/ is exactly what the notebooks say.")
        return 1
    print(f"in sync: nbdev_export and nbdev_clean change none of {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
