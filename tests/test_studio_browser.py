"""The studio as a web app: Voila serves app/studio.ipynb on a free loopback port, a headless Debian Chromium
(driven by Playwright) uploads a content and a style picture, sets a small size and few iterations, clicks Run and
waits for the result picture. A screenshot goes to $NST_NB_SCREENSHOTS (default: _screenshots/).

    NST_NB_BACKBONE=vgg16-hed python -m pytest tests/test_studio_browser.py -v

Needs voila, playwright (the Python package only: the browser is the system's, $NST_NB_CHROMIUM or
/usr/bin/chromium) and pytest; skipped when one is missing, unless NST_NB_REQUIRE_BROWSER=1 (as in CI), where that is
a failure. Nothing leaves the machine: the page may only fetch from the Voila server; Voila's page template links
a Font Awesome stylesheet on a CDN, which is refused, and any other request off 127.0.0.1 fails the test. Voila and
its kernels are always stopped at the end.
"""
import os, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

from browser import CHROMIUM_ARGS, chromium_path, missing

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / 'app' / 'studio.ipynb'
CHROMIUM = chromium_path()
START_S, RESULT_S = 90, 150       # Voila start-up; widgets showing up + the run (TensorFlow's start-up included)

TEMPLATE_CDN = ('https://cdn.jsdelivr.net/npm/@fortawesome/',)   # linked by Voila's page template; refused, harmless

def _missing(why: str): missing(why, module=True)

try: import voila  # noqa: F401
except ImportError: _missing('voila is not installed (pip install voila)')
try: from playwright import sync_api
except ImportError: _missing('playwright is not installed (pip install playwright)')
if not CHROMIUM: _missing('no Chromium executable (apt-get install chromium, or set NST_NB_CHROMIUM)')

def free_port() -> int:
    "A TCP port free on the loopback interface."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def stop_process_group(proc: subprocess.Popen):
    "Stop Voila and its kernels (the process group it leads): SIGTERM, then SIGKILL after 10 s."
    if proc.poll() is not None: return
    try: os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError: return
    try: proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)

@pytest.fixture
def voila(tmp_path):
    "The URL of a Voila server for the studio app, stopped (with its kernels) after the test."
    port = free_port()
    env = dict(os.environ, NST_NB_BACKBONE='vgg16-hed', TF_CPP_MIN_LOG_LEVEL='2',
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get('PATH', ''))
    log = open(tmp_path / 'voila.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'voila', str(APP), f'--port={port}', '--no-browser', '--Voila.ip=127.0.0.1'],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}/'
    try:
        deadline = time.time() + START_S
        while True:
            if proc.poll() is not None: pytest.fail(f'voila exited with {proc.returncode}:\n{(tmp_path / "voila.log").read_text()[-3000:]}')
            try:
                with urllib.request.urlopen(url + 'voila/static/voila.js', timeout=5) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.time() > deadline: pytest.fail(f'voila did not answer on {url} within {START_S} s')
            time.sleep(0.5)
        yield url
    finally:
        stop_process_group(proc); log.close()
        print((tmp_path / 'voila.log').read_text()[-2000:])

@pytest.fixture
def pictures(tmp_path):
    "A small content and a small style picture, made from the repository's images."
    from PIL import Image
    out = []
    for src, name in ((ROOT / 'images/content/rocket.jpg', 'rocket_small.png'), (ROOT / 'images/style/waves.jpg', 'waves_small.png')):
        img = Image.open(src).convert('RGB')
        img = img.resize((round(img.width * 64 / img.height), 64), Image.Resampling.LANCZOS)
        img.save(tmp_path / name); out.append(tmp_path / name)
    return out

def set_slider(page, cls: str, value: int):
    "Type `value` into the text box (the editable readout) of the slider with CSS class `cls`, as a person would."
    box = page.locator(f'.nst-single .{cls} .widget-readout')
    box.click(); page.keyboard.press('Control+A'); page.keyboard.type(str(value)); page.keyboard.press('Enter')
    sync_api.expect(box).to_have_text(str(value), timeout=10_000)

def test_studio_in_the_browser(voila, pictures):
    content, style = pictures
    shots = Path(os.environ.get('NST_NB_SCREENSHOTS', ROOT / '_screenshots')); shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={'width': 1300, 'height': 1900})
            blocked = []
            def only_loopback(route):
                if route.request.url.startswith(voila) or route.request.url.startswith('data:'): route.continue_()
                else: blocked.append(route.request.url); route.abort()
            page.route('**/*', only_loopback)
            page.set_default_timeout(RESULT_S * 1000)
            try:
                page.goto(voila, wait_until='domcontentloaded')
                for cls, path in (('nst-content-upload', content), ('nst-style-upload', style)):
                    with page.expect_file_chooser() as chooser:    # the upload button opens a file dialog
                        page.locator(f'button.{cls}').click()      # (waits for the kernel to have run the app)
                    chooser.value.set_files(str(path))
                status = page.locator('.nst-input-status')
                sync_api.expect(status).to_contain_text('content: rocket_small.png (', timeout=30_000)
                sync_api.expect(status).to_contain_text('styles: waves_small.png (', timeout=30_000)
                set_slider(page, 'nst-iterations', 6)
                set_slider(page, 'nst-size', 64)
                page.locator('.nst-single .nst-optimizer select').select_option('adam')
                page.locator('.nst-single button.nst-run').click()
                page.wait_for_function("() => { const i = document.querySelector('.nst-single img.nst-result');"
                                       " return i !== null && i.complete && i.naturalWidth > 0; }", timeout=RESULT_S * 1000)
                natural = page.eval_on_selector('.nst-single img.nst-result', 'i => [i.naturalWidth, i.naturalHeight]')
                sync_api.expect(page.locator('.nst-single .nst-run-status')).to_contain_text('done: 6 steps', timeout=30_000)
                page.locator('.nst-single img.nst-loss-plot').wait_for(state='visible', timeout=30_000)
                page.wait_for_timeout(500)
            finally:
                page.screenshot(path=str(shots / 'studio.png'), full_page=True)
            assert natural[1] == 64 and natural[0] > 64, natural        # rocket is wider than tall; the output is 64 px high
            assert page.locator('.nst-single a.nst-download').get_attribute('href').startswith('data:image/png;base64,')
            print('requests refused (not to the Voila server):', blocked)
            assert all(u.startswith(TEMPLATE_CDN) for u in blocked), f'the page asked for resources off 127.0.0.1: {blocked}'
        finally:
            browser.close()
