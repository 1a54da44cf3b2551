"""The studio as a web app: Voila serves app/studio.ipynb on a free loopback port (from the repository's folder, so
its voila.json applies), and a headless Debian Chromium (driven by Playwright) uses it as a person would: uploads a
content and a style picture, sets a small size and few steps, clicks Run and waits for the result picture (a
screenshot goes to $NST_NB_SCREENSHOTS, default _screenshots/); uploads a file over the app's limit; reloads the
page during a run; opens and closes pages while counting the server's kernels; saves outside the output folder.

    NST_NB_BACKBONE=vgg16-hed python -m pytest tests/test_studio_browser.py -v

Needs voila, playwright (the Python package only: the browser is the system's, $NST_NB_CHROMIUM or
/usr/bin/chromium) and pytest; skipped when one is missing, unless NST_NB_REQUIRE_BROWSER=1 (as in CI), where that is
a failure. Nothing leaves the machine: the page may only fetch from the Voila server; Voila's page template links
a Font Awesome stylesheet on a CDN, which is refused, and any other request off 127.0.0.1 fails the test. Voila and
its kernels are always stopped at the end.
"""
import json, os, signal, socket, subprocess, sys, time, urllib.request
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

class Server(str):
    "The URL of the Voila server, with its process and its output folder."
    proc: subprocess.Popen
    out: Path

@pytest.fixture(scope='module')
def voila(tmp_path_factory):
    "A Voila server for the studio app (shared by this module's tests), stopped with its kernels at the end."
    yield from serve(tmp_path_factory.mktemp('voila'))

def serve(tmp: Path, env: dict | None = None, args: tuple = ()):
    "Start Voila on the app with its output folder in `tmp` (more `env` and command-line `args`); yield its URL; stop it."
    port = free_port()
    env = dict(os.environ, NST_NB_BACKBONE='vgg16-hed', TF_CPP_MIN_LOG_LEVEL='2', NST_NB_OUTPUT_DIR=str(tmp / 'out'),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get('PATH', ''), **(env or {}))
    log = open(tmp / 'voila.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'voila', str(APP), f'--port={port}', '--no-browser', '--Voila.ip=127.0.0.1', *args],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = Server(f'http://127.0.0.1:{port}/'); url.proc, url.out = proc, tmp / 'out'
    try:
        deadline = time.time() + START_S
        while True:
            if proc.poll() is not None: pytest.fail(f'voila exited with {proc.returncode}:\n{(tmp / "voila.log").read_text()[-3000:]}')
            try:
                with urllib.request.urlopen(url + 'voila/static/voila.js', timeout=5) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.time() > deadline: pytest.fail(f'voila did not answer on {url} within {START_S} s')
            time.sleep(0.5)
        yield url
    finally:
        stop_process_group(proc); log.close()
        print((tmp / 'voila.log').read_text()[-2000:])

def kernels(server: Server) -> dict[int, float]:
    "The server's kernel processes (its ipykernel children): pid -> CPU seconds used so far."
    out, tick = {}, os.sysconf('SC_CLK_TCK')
    for d in Path('/proc').iterdir():
        if not d.name.isdigit(): continue
        try:
            f = (d / 'stat').read_text().rsplit(')', 1)[1].split()
            if int(f[1]) == server.proc.pid and b'ipykernel' in (d / 'cmdline').read_bytes(): out[int(d.name)] = (int(f[11]) + int(f[12])) / tick
        except (OSError, ValueError, IndexError): pass
    return out

def wait_kernels(server: Server, n: int, timeout: float = 60) -> dict[int, float]:
    "Wait until the server has `n` kernels; fail, saying how many, if it does not within `timeout` s."
    deadline = time.time() + timeout
    while len(k := kernels(server)) != n:
        if time.time() > deadline: pytest.fail(f'{len(k)} kernels, not {n}, after {timeout} s')
        time.sleep(0.5)
    return k

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

def set_text(page, cls: str, value):
    "Type `value` into the text box with CSS class `cls` and press Enter, as a person would."
    box = page.locator(f'.nst-single .{cls} input')
    box.click(); page.keyboard.press('Control+A'); page.keyboard.type(str(value)); page.keyboard.press('Enter')
    sync_api.expect(box).to_have_value(str(value), timeout=10_000)

def new_page(browser, server: str):
    "A page of the app that may only fetch from the server (the Font Awesome CDN link is refused); `.blocked` lists the refused."
    # A context of its own that outlives the page: `browser.new_page()` closes its context with the page, and that can
    # cancel the page's last request (the kernel shutdown its unload handler sends), which a real browser completes.
    ctx = browser.new_context(viewport={'width': 1300, 'height': 1900})
    page = ctx.new_page()
    page.blocked = []
    def only_loopback(route):
        if route.request.url.startswith(server) or route.request.url.startswith('data:'): route.continue_()
        else: page.blocked.append(route.request.url); route.abort()
    ctx.route('**/*', only_loopback)
    page.set_default_timeout(RESULT_S * 1000)
    page.goto(server, wait_until='domcontentloaded')
    return page

def upload(page, slot: str, path: Path):
    "Choose `path` with the upload button of `slot` ('content' or 'style'), through the file dialog."
    with page.expect_file_chooser() as chooser:    # the upload button opens a file dialog
        page.locator(f'button.nst-{slot}-upload').click()      # (waits for the kernel to have run the app)
    chooser.value.set_files(str(path))

def upload_both(page, content: Path, style: Path):
    "Upload a content and a style picture and wait for the status line to show both."
    upload(page, 'content', content); upload(page, 'style', style)
    status = page.locator('.nst-input-status')
    sync_api.expect(status).to_contain_text(f'content: {content.name} (', timeout=30_000)
    sync_api.expect(status).to_contain_text(f'styles: {style.name} (', timeout=30_000)

@pytest.fixture(scope='module')
def browser():
    "Debian's Chromium, headless, closed at the end."
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try: yield b
        finally: b.close()

def test_studio_in_the_browser(voila, pictures, browser):
    content, style = pictures
    shots = Path(os.environ.get('NST_NB_SCREENSHOTS', ROOT / '_screenshots')); shots.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, voila)
    try:
        upload_both(page, content, style)
        set_text(page, 'nst-iterations', 6)
        set_text(page, 'nst-size', 64)
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
    print('requests refused (not to the Voila server):', page.blocked)
    assert all(u.startswith(TEMPLATE_CDN) for u in page.blocked), f'the page asked for resources off 127.0.0.1: {page.blocked}'

    # Save: names and subfolders inside the output folder only, the full path shown; outside refused in one line
    name, save, said = page.locator('.nst-single .nst-save-name input'), page.locator('.nst-single button.nst-save'), page.locator('.nst-single .nst-save-status')
    for bad, why in (('/etc', 'absolute path'), ('../../tmp/escape', "'..' leads out"), ('~/x', "'~'")):
        name.fill(bad); name.press('Enter'); save.click()
        sync_api.expect(said).to_contain_text(why, timeout=10_000); sync_api.expect(said).to_contain_text(f'inside {voila.out}')
    name.fill('sub/rocket.png'); name.press('Enter'); save.click()
    sync_api.expect(said).to_contain_text(f'saved {voila.out / "sub" / "rocket.png"} and its .json sidecar', timeout=20_000)
    assert (voila.out / 'sub' / 'rocket.json').exists() and not list(Path('/etc').glob('nst_*')) and not (voila.out / '../../tmp/escape').exists()

    # a number box refuses what it cannot take, visibly, and Run then starts nothing
    set_text(page, 'nst-seed', '3.7')
    sync_api.expect(page.locator('.nst-single .nst-field-error', has_text='seed must be a whole number')).to_be_visible(timeout=10_000)
    page.close(run_before_unload=True)

def test_upload_over_the_limit(voila, pictures, browser, tmp_path):
    "A file over the app's upload limit gets a message before it is sent, and the Upload button goes on working."
    big = tmp_path / 'huge.jpg'
    with open(big, 'wb') as f: f.write(b'\xff\xd8\xff' + os.urandom(26_000_000))
    page = new_page(browser, voila)
    try:
        upload(page, 'content', big)
        status = page.locator('.nst-input-status')
        sync_api.expect(status).to_contain_text('huge.jpg is 26.0 MB, over the upload limit of 25.0 MB: not sent', timeout=30_000)
        upload_both(page, *pictures)                          # the same button works on
    finally: page.close(run_before_unload=True)

def test_reload_during_a_run_stops_it(voila, pictures, browser):
    "Reloading the page mid-run ends its kernel, so no run is left going where no page can stop it."
    wait_kernels(voila, 0)                                    # the earlier tests' pages are closed: their kernels ended
    page = new_page(browser, voila)
    try:
        upload_both(page, *pictures)
        set_text(page, 'nst-iterations', 5000); set_text(page, 'nst-size', 64)
        page.locator('.nst-single .nst-optimizer select').select_option('adam')
        page.locator('.nst-single button.nst-run').click()
        sync_api.expect(page.locator('.nst-single .nst-run-status')).to_contain_text('step ', timeout=RESULT_S * 1000)
        running = kernels(voila)
        page.reload(wait_until='domcontentloaded')
        page.locator('button.nst-content-upload').wait_for(timeout=RESULT_S * 1000)     # the new page's studio
        left = wait_kernels(voila, 1)                         # the new page's kernel only
        assert not set(left) & set(running), (running, left)
        time.sleep(2); later = kernels(voila)
        busy = {p: later[p] - left[p] for p in left if p in later and later[p] - left[p] > 1.0}   # > 50 % of a core over 2 s
        assert not busy, f'a kernel is still busy after the reload: {busy}'
    finally: page.close(run_before_unload=True)
    wait_kernels(voila, 0)

def test_closing_pages_ends_their_kernels(voila, browser):
    "Each page holds one kernel while it is open, and none once it is closed."
    wait_kernels(voila, 0)
    pages = [new_page(browser, voila) for _ in range(2)]
    for p in pages: p.locator('button.nst-content-upload').wait_for(timeout=RESULT_S * 1000)
    wait_kernels(voila, 2)
    for p in pages: p.close(run_before_unload=True)
    wait_kernels(voila, 0)

def cpu_over(server: Server, pid: int, seconds: float = 2.0) -> float:
    "The CPU seconds kernel `pid` used over the next `seconds`."
    before = kernels(server).get(pid, 0.0); time.sleep(seconds)
    return kernels(server).get(pid, before) - before

@pytest.mark.slow   # 30-40 s (its own server, the cull's wait): CI leaves it out; test_closing_pages_ends_their_kernels checks closed pages' kernels end
def test_a_tab_closed_mid_run_whose_shutdown_is_lost(pictures, browser, tmp_path_factory):
    "The shutdown request of a closing page never arrives (as happened mid-run): the page's silence stops the run, and the idle kernel is culled."
    server_gen = serve(tmp_path_factory.mktemp('silent'), {'NST_NB_PAGE_TIMEOUT': '6'},
                       ('--MappingKernelManager.cull_idle_timeout=10', '--MappingKernelManager.cull_interval=2'))
    server = next(server_gen)
    try:
        page = new_page(browser, server)
        page.context.route('**/api/kernels/**', lambda route: route.abort() if route.request.method == 'DELETE' else route.fallback())
        upload_both(page, *pictures)
        set_text(page, 'nst-iterations', 5000); set_text(page, 'nst-size', 64)
        page.locator('.nst-single .nst-optimizer select').select_option('adam')
        page.locator('.nst-single button.nst-run').click()
        status = page.locator('.nst-single .nst-run-status')
        sync_api.expect(status).to_contain_text('step ', timeout=RESULT_S * 1000)
        page.wait_for_timeout(9_000)                          # longer than the page timeout: an open page keeps its run
        assert 'no sign of life' not in status.inner_text() and 'step ' in status.inner_text(), status.inner_text()
        (pid,) = wait_kernels(server, 1)
        assert cpu_over(server, pid) > 1.0                    # running: more than half a core
        page.close(run_before_unload=True)                    # its DELETE is refused on the way: the kernel is left on its own
        deadline = time.time() + 60
        while cpu_over(server, pid) > 0.5:                    # the run goes on until the silence is noticed
            if time.time() > deadline: pytest.fail('the run of a closed page was still going after 60 s')
        wait_kernels(server, 0, timeout=90)                   # then the idle kernel, with no page connected, is culled
    finally:
        server_gen.close()

def test_config_limits():
    "The repository's voila.json: a websocket message limit above the app's upload limit, and idle kernels culled."
    conf = json.loads((ROOT / 'voila.json').read_text())
    limit = conf['Voila']['tornado_settings']['websocket_max_message_size']
    src = (ROOT / 'nst_nb' / 'widgets.py').read_text()
    upload_limit = int(src.split('MAX_UPLOAD_BYTES = ', 1)[1].split()[0].replace('_', ''))   # without importing TensorFlow
    assert limit > 2 * upload_limit, (limit, upload_limit)
    assert 0 < conf['MappingKernelManager']['cull_idle_timeout'] <= 3600 and conf['MappingKernelManager']['cull_connected'] is False

def test_fast_tab_follows_the_controls(voila, pictures, browser):
    "The Fast tab paints the chosen photo with the shipped network at once, and again when a control changes: no Run button."
    shots = Path(os.environ.get('NST_NB_SCREENSHOTS', ROOT / '_screenshots')); shots.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, voila)
    src = lambda: page.eval_on_selector('img.nst-fast-picture', 'i => i.src')
    try:
        upload(page, 'content', pictures[0])
        page.get_by_role('tab', name='Fast').click()
        sync_api.expect(page.locator('.nst-fast-note')).to_contain_text('network course', timeout=RESULT_S * 1000)
        sync_api.expect(page.locator('.nst-fast-note')).to_contain_text('ms at', timeout=30_000)
        page.wait_for_function("() => { const i = document.querySelector('img.nst-fast-picture'); return i && i.complete && i.naturalWidth > 0; }")
        before = src()
        for _ in range(20):                                   # the pictures asked for by the upload and the tab's start are all shown
            page.wait_for_timeout(500)
            if src() == before: break
            before = src()
        page.locator('.nst-fast-colour select').select_option('luminance')
        page.wait_for_function("b => document.querySelector('img.nst-fast-picture').src !== b", arg=before, timeout=30_000)
        page.wait_for_timeout(500)
    finally:
        page.screenshot(path=str(shots / 'studio_fast.png'), full_page=True)
        page.close(run_before_unload=True)
