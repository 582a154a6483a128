"""JupyterLab in a real browser: the explorers and an animation's player from the first cell of a fresh kernel.

JupyterLab runs headless on a free port; Chromium (the system browser) is driven by Playwright. Each notebook
is new, so its first cell runs in a fresh kernel, where IPython's inline figure formatter does not exist yet.
The test reads the displayed PNG back from the page, moves the controls as a user does (select menus, slider
keys, player buttons), and compares every displayed image with a reference rendered here from the same
source, whose drawn matrix is checked against the numbers on disk. Screenshots go to test-artifacts/browser/.
"""
import base64, io, json, os, re, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
pytestmark = [pytest.mark.xdist_group("browser"),
              pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (Debian package `chromium`) for the JupyterLab browser test")]

# The first cell of each notebook, run in the browser's kernel and (for the reference) in this process.
EXPLORER = """from layernb.widgets import Explorer
from layernb.store import FeatureStore
from layernb.temporal import temporal_similarities
layers = ["cnn_final_raw", "after_projection", "transformer_layer_0", "transformer_layer_2", "transformer_layer_5"]
tr = temporal_similarities(FeatureStore("report/features").layerset(layers).align(), window_size=40, stride=40,
                           metrics="linear_cka", min_rows=20)
ex = Explorer.from_report("report", temporal=tr)
ex"""
SUBSPACE = """import numpy as np
from layernb.core import Frames, LayerSet
from layernb.moments import Moments
from layernb.subspace import pc_couplings, subspace_graph
from layernb.widgets import SubspaceExplorer
rng = np.random.default_rng(0)
lat = [rng.standard_normal((40, 3)) for _ in range(10)]
w = rng.standard_normal((3, 5))
toy = LayerSet({f"l{k}": Frames.from_list([x @ w + 0.2 * k * rng.standard_normal((40, 5)) for x in lat], 50) for k in range(4)})
pcas, couplings = pc_couplings(Moments("cpu").update(toy), n_components=3)
sx = SubspaceExplorer(*subspace_graph(pcas, couplings, min_weight=0.0), title="toy")
sx"""
PLAYER = """import numpy as np
from layernb.core import Frames, LayerSet
from layernb.temporal import temporal_similarities
from layernb.plots import temporal_animation
rng = np.random.default_rng(1)
z = [rng.standard_normal((60, 4)) for _ in range(8)]
toy = LayerSet({f"l{k}": Frames.from_list([x @ rng.standard_normal((4, 4)) * (k + 1) + k * rng.standard_normal((60, 4))
                                           for x in z], 50) for k in range(3)})
tr = temporal_similarities(toy, window_size=20, stride=20, metrics="linear_cka", min_rows=10)
anim = temporal_animation(tr)
anim"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(path: Path, source: str):
    nb = {"cells": [{"cell_type": "code", "id": "first", "metadata": {}, "source": source, "outputs": [], "execution_count": None}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image
    with Image.open(io.BytesIO(png)) as im: return np.asarray(im.convert("RGB"), dtype=np.float64)


def distance(a: bytes, b: bytes) -> float:
    "Mean absolute pixel difference (0..255) of two PNGs; inf when their sizes differ."
    pa, pb = pixels(a), pixels(b)
    return float(np.abs(pa - pb).mean()) if pa.shape == pb.shape else float("inf")


def data_url(src: str) -> bytes:
    assert src.startswith("data:image/png;base64,"), src[:80]
    return base64.b64decode(src.split(",", 1)[1])


def fig_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"), JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"))
    env.pop("MPLBACKEND", None)                    # the kernel's own default (the inline backend), as for a user
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "lab.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                               "--allow-root", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
                               f"--LabApp.workspaces_dir={root / '.workspaces'}"],
                              env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        r = subprocess.run([sys.executable, "-m", "layernb.cli", "demo", "--out", str(root / "report"), "--max-count", "2",
                            "--no-progress"], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        for _ in range(120):
            if server.poll() is not None: pytest.fail(f"JupyterLab exited: {(root / 'lab.log').read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError: time.sleep(0.5)
        else: pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-3000:]}")
        yield dict(root=root, url=f"http://127.0.0.1:{port}", token=token)
    finally:
        server.terminate()
        try: server.wait(20)
        except subprocess.TimeoutExpired: server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser test screenshots: {ARTIFACTS}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def run_first_cell(browser, lab, name: str, source: str):
    "Open a new notebook holding `source` as its only cell and run it from the keyboard (Shift+Enter); the page."
    t0 = time.time()
    notebook(lab["root"] / f"{name}.ipynb", source)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{lab['url']}/lab/workspaces/{name}/tree/{name}.ipynb?reset&token={lab['token']}")   # no other notebook restored
    page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for(timeout=60_000)   # the kernel is up
    page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
    page.keyboard.press("Shift+Enter")
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt", has_text="[*]").or_(
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt", has_text="[1]")).first.wait_for(timeout=30_000)
    print(f"{name}: page ready after {time.time() - t0:.1f} s")
    return page


def current(page, selector: str) -> bytes | None:
    "The PNG the page shows at `selector` now (None when there is none)."
    loc = page.locator(selector).filter(visible=True)                   # in the notebook on show
    if not loc.count(): return None
    src = loc.first.get_attribute("src") or ""
    return data_url(src) if src.startswith("data:image/png") else None


def settles(page, selector: str, want: bytes, *wrong: bytes, timeout: float = 60) -> bytes:
    "Wait until the page shows the reference render `want` at `selector` (not one of `wrong`); the displayed PNG."
    for w in wrong: assert distance(want, w) > 0.3, "the reference renders of two states are alike: the check could not fail"
    t0, png = time.time(), None
    while time.time() - t0 < timeout:
        png = current(page, selector)
        if png is not None and distance(png, want) < 0.05:                      # the same render, pixel for pixel
            print(f"  shown after {time.time() - t0:.1f} s")
            return png
        page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "failed.png"))
    d = "no image" if png is None else f"mean |diff| {distance(png, want):.2f} of 255 from the reference"
    raise AssertionError(f"the page does not show the selected figure after {timeout} s ({d}; screenshot: {ARTIFACTS / 'failed.png'})")


def matrix(ex) -> np.ndarray:
    "The matrix an explorer's heatmap draws (NaN where undefined)."
    return ex.figure.axes[0].images[0].get_array().filled(np.nan)


def test_explorer_from_report(browser, lab, monkeypatch):
    monkeypatch.chdir(lab["root"])
    ns = {}
    exec(EXPLORER.rsplit("\n", 1)[0], ns)                                    # the reference, in this process
    ref, tr = ns["ex"], ns["tr"]
    npz = np.load(lab["root"] / "report" / "matrices.npz")
    np.testing.assert_allclose(matrix(ref), npz["linear_cka"], atol=1e-12)
    cka = ref.png
    ref.metric.value = "flat_correlation"
    np.testing.assert_allclose(matrix(ref), npz["flat_correlation"], atol=1e-12)
    flat = ref.png
    ref.metric.value, ref.window.value = "linear_cka", 1
    np.testing.assert_allclose(matrix(ref), tr.values["linear_cka"][0], atol=1e-12)
    win1 = ref.png
    ref.window.value = 2
    np.testing.assert_allclose(matrix(ref), tr.values["linear_cka"][1], atol=1e-12)
    win2 = ref.png

    page = run_first_cell(browser, lab, "explorer", EXPLORER)
    img = ".widget-output img"
    settles(page, img, cka, flat)                                             # the first cell shows the figure
    page.screenshot(path=str(ARTIFACTS / "explorer-1-first-cell.png"))
    metric = page.locator(".widget-dropdown", has_text="metric").locator("select")
    window = page.locator(".widget-slider", has_text="window").locator(".noUi-handle").first
    metric.select_option("flat_correlation")                                  # the metric menu, as a user picks it
    settles(page, img, flat, cka)
    page.screenshot(path=str(ARTIFACTS / "explorer-2-metric.png"))
    window.press("ArrowRight")                                                # no flat_correlation windows: said in words
    page.locator(".widget-output .layernb-message", has_text="no windows of 'flat_correlation'").wait_for(timeout=30_000)
    assert current(page, img) is None
    page.screenshot(path=str(ARTIFACTS / "explorer-3-message.png"))
    metric.select_option("linear_cka")                                        # window 1 of linear_cka
    settles(page, img, win1, cka, flat)
    window.press("ArrowRight")                                                # window 2
    settles(page, img, win2, win1, cka)
    page.screenshot(path=str(ARTIFACTS / "explorer-4-window.png"))
    page.close()


def test_subspace_explorer(browser, lab):
    ns = {}
    exec(SUBSPACE.rsplit("\n", 1)[0], ns)
    ref = ns["sx"]
    every = ref.png
    ref.layers.value = ("l0", "l1")
    assert sorted(set(ref.figure.axes[0].collections[0].get_offsets()[:, 0])) == [0.0, 1.0]   # two layers drawn
    two = ref.png
    ref.components.value = 1
    assert len(ref.figure.axes[0].collections[0].get_offsets()) == 2          # one PC of each of the two layers
    one_pc = ref.png

    page = run_first_cell(browser, lab, "subspace", SUBSPACE)
    img = ".widget-output img"
    settles(page, img, every, two)
    page.screenshot(path=str(ARTIFACTS / "subspace-1-first-cell.png"))
    page.locator(".widget-select-multiple select").select_option(["l0", "l1"])
    settles(page, img, two, every)
    page.screenshot(path=str(ARTIFACTS / "subspace-2-layers.png"))
    handle = page.locator(".widget-slider", has_text="PCs").locator(".noUi-handle").first
    handle.press("ArrowLeft")
    handle.press("ArrowLeft")
    settles(page, img, one_pc, two, every)
    page.screenshot(path=str(ARTIFACTS / "subspace-3-components.png"))
    page.close()


def player_frames(html: str) -> list[bytes]:
    "The PNG frames a matplotlib JS player embeds (base64 split by JS line continuations)."
    return [base64.b64decode(f.replace("\\\n", "")) for f in re.findall(r'"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"', html)]


def test_animation_player(browser, lab):
    ns = {}
    exec(PLAYER.rsplit("\n", 1)[0], ns)
    anim, tr = ns["anim"], ns["tr"]
    frames = player_frames(anim._repr_html_())                                # the player this process makes
    assert len(frames) == len(tr.starts) == 3
    for w in range(3):                                                        # frame w draws window w
        np.testing.assert_allclose(anim.draw(w).axes[0].images[0].get_array().filled(np.nan), tr.values["linear_cka"][w], atol=1e-12)
    page = run_first_cell(browser, lab, "player", PLAYER)
    img = ".jp-OutputArea-output img[id^='_anim_img']"
    settles(page, img, frames[0], frames[1])
    page.screenshot(path=str(ARTIFACTS / "player-1-first-cell.png"))
    assert page.locator(".jp-OutputArea-output img").count() == 1              # a player, and no still of the figure
    page.locator("button[title='Next frame']").click()
    settles(page, img, frames[1], frames[0], frames[2])
    page.screenshot(path=str(ARTIFACTS / "player-2-next-frame.png"))
    page.close()
