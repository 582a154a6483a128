"""Every notebook's tests (what `nbdev_test` runs), one pytest item per notebook, each in its own process.

Cells flagged with a `tst_flags` flag of settings.ini (`#| slow`, `#| notest`) are skipped unless named
in LAYERNB_TEST_FLAGS (e.g. LAYERNB_TEST_FLAGS=slow)."""
import os, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
NOTEBOOKS = sorted(p for p in NBS.rglob("*.ipynb")
                   if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))

RUN = """
import sys
from pathlib import Path
from nbdev.config import get_config
from nbdev.test import test_nb
flags = get_config().tst_flags.split()
force = [f for f in sys.argv[2].split(",") if f]
ok, secs = test_nb(Path(sys.argv[1]), skip_flags=flags, force_flags=force)
print(f"{sys.argv[1]}: {'ok' if ok else 'FAILED'} in {secs:.1f}s")
sys.exit(0 if ok else 1)
"""


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[str(p.relative_to(NBS)) for p in NOTEBOOKS])
def test_notebook(nb, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    # numba (under dcor) writes its compiled-function cache next to the installed package; two processes
    # compiling it at once in a fresh venv corrupt it (LLVM "Symbol not found"): one cache per process
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
    # pytest-xdist runs notebooks side by side: give each its share of the cores, not all of them each
    # (oversubscribed BLAS threads make small-matrix notebooks many times slower on a busy machine)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    r = subprocess.run([sys.executable, "-c", RUN, str(nb), os.environ.get("LAYERNB_TEST_FLAGS", "")],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{nb.name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-8000:]}"
