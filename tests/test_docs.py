"""The documentation site, built offline and checked in a real browser.

    python tools/build_docs.py && pytest tests/test_docs.py --site _site
    pytest tests/test_docs.py                      # builds the site into _site/ first

The site is served from 127.0.0.1 by `http.server` in a thread; headless Chromium (Debian's `/usr/bin/chromium`, or
`NST_NB_CHROMIUM`) driven by Playwright opens the index and clicks through the sidebar to every page that
`nbs/sidebar.yml` lists and that exists as a notebook. Requests that leave 127.0.0.1 are refused and fail the test.
Screenshots go to `$NST_NB_SCREENSHOTS` (default `_screenshots/`). Without Playwright or Chromium the browser test is
skipped, unless NST_NB_REQUIRE_BROWSER=1 (as in CI), where that is a failure.
"""
import functools, http.server, json, os, re, subprocess, sys, threading, time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from browser import CHROMIUM_ARGS, chromium_path, missing

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
TIMEOUT_MS = 30_000
DIRECTIVE = re.compile(r'(?<!#)#\|\s*[A-Za-z_]')  # `#| export`; not a tqdm bar's `####|`
FRONT_MATTER = re.compile(r'---\s*\n\s*(title|description|output-file)\s*:')
FIGURE_PAGES = ['10_transfer.ipynb', '02_features.ipynb', '03_gram.ipynb']


def sidebar_tree(path=NBS / 'sidebar.yml'):
    "[(section or None, [notebook, ...])] in sidebar order."
    sb = yaml.safe_load(path.read_text())['website']['sidebar']
    out = []
    def walk(items, section):
        for it in items or []:
            if isinstance(it, str): out.append((section, it))
            elif isinstance(it, dict) and 'section' in it: walk(it.get('contents'), it['section'])
            elif isinstance(it, dict) and 'href' in it: out.append((section, it['href']))
    walk(sb['contents'], None)
    return out


def notebook_title(path: Path) -> str:
    "The title nbdev gives a notebook: front matter `title:`, else the first Markdown `# Title`."
    for c in json.loads(path.read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'raw':
            m = re.match(r'\s*---\s*\n(.*?)\n---', src, re.S)
            if m and (yaml.safe_load(m.group(1)) or {}).get('title'): return str(yaml.safe_load(m.group(1))['title'])
        elif c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(\S.*?)\s*$', src, re.M)
            if m: return m.group(1)
    return path.stem


def expected_pages():
    "Sidebar entries that exist as notebooks: [(section, notebook, title)]."
    return [(sec, nb, notebook_title(NBS / nb)) for sec, nb in sidebar_tree()
            if nb.endswith('.ipynb') and (NBS / nb).exists()]


@pytest.fixture(scope='session')
def site(request):
    given = request.config.getoption('--site', default=None) or os.environ.get('NST_NB_SITE')
    if given:
        d = Path(given)
        d = d if d.is_absolute() else ROOT / d
        assert (d / 'index.html').exists(), f'{d} has no index.html: build it with python tools/build_docs.py'
        return d
    t = time.time()
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_docs.py'), '--out', '_site'], cwd=ROOT,
                       capture_output=True, text=True, timeout=900, env={**os.environ, 'NST_NB_BACKBONE': 'vgg16-hed'})
    assert r.returncode == 0, f'build_docs.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}'
    print(f'site built in {time.time() - t:.0f} s')
    return ROOT / '_site'


def built_page(site: Path, title: str):
    "The HTML file whose page title is `title`."
    for f in site.rglob('*.html'):
        m = re.search(r'<h1 class="title">(.*?)</h1>', f.read_text(encoding='utf-8'))
        if m and _unescape(m.group(1)) == title: return f


def _unescape(s):
    import html
    return html.unescape(s)


def test_every_sidebar_notebook_is_built(site):
    pages = expected_pages()
    assert pages and pages[0][1] == 'index.ipynb', 'sidebar.yml should start with index.ipynb'
    assert (site / 'index.html').exists()
    for _, nb, title in pages:
        f = built_page(site, title)
        assert f is not None, f'{nb} ({title!r}) is listed in sidebar.yml and exists, but no page of {site} has that title'
        text = f.read_text(encoding='utf-8')
        assert 'NSTMATH' not in text, f'{f.name}: a math placeholder was left in'
        for l in text.splitlines():  # every local link points at a file of the site
            for href in re.findall(r'(?:href|src)="([^"#?]+)(?:#[^"]*)?"', l):
                if re.match(r'(https?:|data:|mailto:|javascript:)', href): continue
                assert (f.parent / href).exists(), f'{f.name}: link to {href}, which is not in the site'


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass


@pytest.fixture(scope='session')
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try: yield f'http://127.0.0.1:{srv.server_address[1]}'
    finally:
        srv.shutdown(); srv.server_close(); th.join(10)


@pytest.fixture(scope='module')  # closed before other modules' tests start their own Playwright
def browser():
    try: from playwright.sync_api import sync_playwright
    except ImportError: missing('playwright is not installed (pip install playwright)')
    exe = chromium_path()
    if not exe: missing('no chromium executable (apt-get install chromium, or set NST_NB_CHROMIUM)')
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        try: yield b
        finally: b.close()


def _screens():
    d = Path(os.environ.get('NST_NB_SCREENSHOTS', '_screenshots'))
    d = d if d.is_absolute() else ROOT / d
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sidebar(page):
    "[(section or None, link text)] as the page's sidebar shows them, and the current page's link text."
    return page.evaluate("""() => {
      const out = [];
      const walk = (ul, section) => { for (const li of ul.children) {
        if (li.classList.contains('nav-section')) walk(li.querySelector('ul'), li.querySelector('.section-title').textContent.trim());
        else { const a = li.querySelector('a'); out.push([section, a.textContent.trim(), a.getAttribute('aria-current') === 'page']); } } };
      walk(document.querySelector('nav.sidebar ul.nav'), null);
      return out; }""")


def test_browse_site(site, server, browser):
    pages = expected_pages()
    shots = _screens()
    ctx = browser.new_context(viewport={'width': 1280, 'height': 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    problems, remote = [], []
    def route(r):
        if r.request.url.startswith(server + '/'): r.continue_()
        else: remote.append(r.request.url); r.abort()
    ctx.route('**/*', route)
    page = ctx.new_page()
    page.on('console', lambda m: m.type == 'error' and problems.append(f'console error on {page.url}: {m.text}'))
    page.on('pageerror', lambda e: problems.append(f'script error on {page.url}: {e}'))
    page.on('response', lambda r: r.status >= 400 and problems.append(f'HTTP {r.status} for {r.url}'))
    try:
        page.goto(server + '/index.html', wait_until='load')
        want = [(sec, title) for sec, _, title in pages]
        got = [(sec, text) for sec, text, _ in _sidebar(page)]
        assert got == want, f'the sidebar differs from sidebar.yml:\n got  {got}\n want {want}'
        visited = []
        for i, (sec, nb, title) in enumerate(pages):
            if i:  # follow the navigation: click this page's link in the sidebar
                link = page.locator('nav.sidebar ul.nav a').filter(has_text=re.compile(rf'^\s*{re.escape(title)}\s*$'))
                assert link.count() == 1, f'{page.url}: no single sidebar link {title!r}'
                with page.expect_navigation(wait_until='load'): link.click()
            check_page(page, nb, title)
            visited.append(urlsplit(page.url).path)
            if nb == 'index.ipynb':
                page.screenshot(path=str(shots / 'index.png'))
                gallery = page.locator('main img[src*="gallery"]')
                assert gallery.count() >= 1, 'the index shows no gallery picture'
                gallery.first.evaluate("e => e.scrollIntoView({block: 'center'})")
                page.screenshot(path=str(shots / 'index_gallery.png'))
            if nb == next((f for f in FIGURE_PAGES if (NBS / f).exists()), None):
                fig = page.locator('main .jp-OutputArea-output img')
                assert fig.count() >= 1, f'{nb}: no figure among the outputs'
                page.screenshot(path=str(shots / f'{Path(nb).stem}.png'))
                big = page.evaluate('''() => { const a = Array.from(document.querySelectorAll('main .jp-OutputArea-output img'));
                    const s = a.map(i => i.naturalWidth * i.naturalHeight); return s.indexOf(Math.max(...s)); }''')
                fig.nth(big).evaluate("e => e.scrollIntoView({block: 'center'})")  # the biggest figure of the page
                page.screenshot(path=str(shots / f'{Path(nb).stem}_figure.png'))
        assert len(set(visited)) == len(pages), f'pages visited: {visited}'
        # and back through the "previous" links at the bottom, to the index
        for _ in range(len(pages) - 1):
            with page.expect_navigation(wait_until='load'): page.locator('.page-nav a.prev').click()
        assert urlsplit(page.url).path.endswith('/index.html')
    finally:
        ctx.close()
    assert not remote, f'requests that left 127.0.0.1: {remote[:5]}'
    assert not problems, '\n'.join(problems[:20])


def check_page(page, nb, title):
    where = f'{nb} ({page.url})'
    assert page.locator('main h1.title').inner_text().strip() == title, f'{where}: the title is not {title!r}'
    assert title in page.title(), f'{where}: <title> is {page.title()!r}'
    current = [text for _, text, cur in _sidebar(page) if cur]
    assert current == [title], f'{where}: the sidebar marks {current} as the current page'
    page.wait_for_function('Array.from(document.images).every(i => i.complete)', timeout=TIMEOUT_MS)
    broken = page.evaluate('Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src.slice(0, 120))')
    assert not broken, f'{where}: pictures that did not load: {broken}'
    text = page.locator('body').inner_text()
    m = DIRECTIVE.search(text)
    assert not m, f'{where}: a `#|` directive shows: {text[max(0, m.start() - 80):m.end() + 80]!r}'
    m = FRONT_MATTER.search(text)
    assert not m, f'{where}: raw front matter shows: {text[max(0, m.start() - 80):m.end() + 80]!r}'
    for leak in ('$$', '{target=', 'NSTMATH', ':::'):
        assert leak not in text, f'{where}: {leak!r} shows as text'
    local_ipynb = page.evaluate("""() => Array.from(document.querySelectorAll('main a[href]')).map(a => a.getAttribute('href'))
        .filter(h => /\\.ipynb(#|$)/.test(h) && !/^https?:/.test(h))""")
    assert not local_ipynb, f'{where}: links to notebooks left as .ipynb: {local_ipynb}'
