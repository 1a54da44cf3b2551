"""Build the documentation site offline, without Quarto.

    python tools/build_docs.py [--out _site] [--force] [--strict] [--workers N]

1. The notebooks listed in `nbs/sidebar.yml` are processed the way `nbdev_docs` processes them before Quarto runs:
   nbdev's own processors (`nbdev.processors.FilterDefaults`: front matter from `# Title` / `> subtitle`, `show_doc`
   cells added after exported functions and executed, `#| hide` / `#| export` cells removed, ...) run on each notebook
   through `nbdev.serve_drv.main`, exactly as `nbdev.serve.proc_nbs` drives them, into the `_proc/` cache.
2. Each processed notebook is rendered to static HTML with nbconvert's `HTMLExporter` (template `lab`, no prompts, no
   remote scripts), and the Quarto cell options nbdev relies on (`#| echo: false`, `#| output: false|asis`,
   `#| include: false`, `#| code-fold`) are applied; every `#|` line is removed from the code shown.
3. Every page gets the sidebar of `nbs/sidebar.yml` (sections and order), its title and description, links between
   notebooks (`00_images.ipynb`) and nbdev's symbol links (`https://<site-url>/images.html#open_image`) pointing at
   the local pages, the pictures its Markdown uses copied into the site, and LaTeX (`$...$`, `$$...$$`) turned into
   MathML (with `latex2mathml`, when installed) so formulas show without MathJax or any network.

Pages are named as nbdev names them (`00_images.ipynb` -> `images.html`, or the front matter's `output-file`), so the
symbol links nbdev writes work on this site as on the published one. A notebook listed in the sidebar but missing is
skipped with a warning. A cell that fails while nbdev re-executes it for `show_doc` is a warning (its saved outputs
are kept); with `--strict` it is an error, as in `nbdev_docs`. NST_NB_BACKBONE defaults to `vgg16-hed` (offline).
"""
from __future__ import annotations

import argparse, copy, hashlib, html, os, posixpath, re, shutil, sys, time, warnings
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
PROC_VERSION = '1'  # bump when the nbdev processing below changes, so that the _proc/ cache is rebuilt
MARKER = '.nst_nb_site'  # written into the output folder so a rebuild may safely empty it

# ----------------------------------------------------------------------------------------------------------------
# 1. nbdev processing (runs in worker processes, like nbdev.serve.proc_nbs)

from nbdev.processors import FilterDefaults, exec_show_docs as _nbdev_exec_show_docs


class exec_show_docs(_nbdev_exec_show_docs):
    "nbdev's `exec_show_docs`, but a failing cell is a warning and keeps its saved outputs (unless strict)."
    strict = False

    def __call__(self, cell):
        saved = copy.deepcopy(cell.get('outputs'))
        try: super().__call__(cell)
        except Exception as e:
            if self.strict: raise
            cell.outputs = saved if saved is not None else []
            self.k.exc = None
            title = getattr(self.nb, 'frontmatter_', {}).get('title', '')
            first = (cell.source or '').strip().splitlines()[:1]
            print(f'WARNING build_docs: {title or "notebook"}: cell {cell.idx_} failed when re-run for show_doc '
                  f'({type(e.__cause__ or e).__name__}: {str(e.__cause__ or e).strip()[:200]}); first line: {first}. '
                  f'nbdev_docs would stop here: keep imports and other code in separate cells.', file=sys.stderr)


class StrictShowDocs(exec_show_docs): strict = True
StrictShowDocs.__name__ = 'exec_show_docs'


class DocsFilter(FilterDefaults):
    "nbdev's processors, with the tolerant `exec_show_docs`."
    show_docs = exec_show_docs

    def base_procs(self):
        return [self.show_docs if p is _nbdev_exec_show_docs else p for p in super().base_procs()]


class StrictDocsFilter(DocsFilter): show_docs = StrictShowDocs


def _proc_worker(o):
    "Process one notebook in a worker: run from the notebook's folder, as nbdev_test does, so relative paths work."
    src, dst, cb = o
    # nbdev warns about every cell with imports and other code; the ones that matter, those that fail, are reported
    warnings.filterwarnings('ignore', message='Found cells containing imports and other code')
    import nbdev.serve_drv
    cwd = os.getcwd()
    try:
        os.chdir(src.parent)
        nbdev.serve_drv.main((src, dst, cb))
        return None
    except Exception as e:
        return f'{src.name}: {type(e).__name__}: {e}'
    finally: os.chdir(cwd)


def process_notebooks(nbs: list[Path], nbs_path: Path, cache: Path, force=False, strict=False, workers=2) -> None:
    "Run nbdev's processors on `nbs` into `cache` (only those newer than their processed copy, unless `force`)."
    import nbdev.serve
    from fastcore.parallel import parallel
    from nbdev.config import get_config
    from nbdev.serve import _proc_file
    cfg = get_config(path=ROOT)
    chk = max(cfg.config_file.stat().st_mtime, Path(nbdev.serve.__file__).stat().st_mtime)
    stamp, want = cache / '.build_docs', PROC_VERSION + ('-strict' if strict else '')  # which processing made the cache
    if cache.exists() and (force or cache.stat().st_mtime < chk or not stamp.exists() or stamp.read_text() != want):
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    cache_mtime = cache.stat().st_mtime
    if not stamp.exists(): stamp.write_text(want)
    todo = [_proc_file(s, cache, nbs_path, mtime=cache_mtime) for s in nbs]
    # Workers get these by module name, not from __main__: IPython, which runs the cells, takes over `__main__`.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_docs as mod
    cb = mod.StrictDocsFilter if strict else mod.DocsFilter
    todo = [(s, d, cb) for (s, d, _) in filter(None, todo)]
    if todo:
        print(f'processing {len(todo)} notebook(s) with nbdev: {", ".join(s.name for s, _, _ in todo)}', flush=True)
        for k, v in dict(NST_NB_BACKBONE='vgg16-hed', TF_CPP_MIN_LOG_LEVEL='3', MPLBACKEND='Agg').items(): os.environ.setdefault(k, v)
        errs = parallel(mod._proc_worker, todo, n_workers=min(workers, len(todo)), pause=0.01, method='spawn', progress=False)
        errs = [e for e in errs if e]
        if errs:
            for s, d, _ in todo:
                if d.exists() and any(e.startswith(s.name + ':') for e in errs): d.unlink()
            sys.exit('nbdev processing failed:\n  ' + '\n  '.join(errs))
    cache.touch()

# ----------------------------------------------------------------------------------------------------------------
# 2. the sidebar


def sidebar_entries(sidebar_yml: Path) -> list:
    "The sidebar as a tree: ('page', path, text) and ('section', title, [children])."
    import yaml
    data = yaml.safe_load(sidebar_yml.read_text()) or {}
    sb = (data.get('website') or {}).get('sidebar') or {}
    if isinstance(sb, list): sb = sb[0] if sb else {}
    def walk(items):
        out = []
        for it in items or []:
            if isinstance(it, str): out.append(('page', it, None))
            elif isinstance(it, dict) and 'section' in it: out.append(('section', str(it['section']), walk(it.get('contents'))))
            elif isinstance(it, dict) and 'href' in it: out.append(('page', it['href'], it.get('text')))
            elif isinstance(it, dict) and 'contents' in it: out.extend(walk(it['contents']))
            else: warnings.warn(f'sidebar.yml: entry not understood, skipped: {it!r}')
        return out
    return walk(sb.get('contents'))


def flat_pages(tree) -> list:
    return [x for n in tree for x in ([n] if n[0] == 'page' else flat_pages(n[2]))]

# ----------------------------------------------------------------------------------------------------------------
# 3. Markdown fixes before nbconvert: pandoc link attributes, fenced divs, math

_re_fence = re.compile(r'(^[ \t]*(```|~~~).*?^[ \t]*\2[ \t]*$)', re.M | re.S)
_re_code = re.compile(r'(`+)(?!`).+?(?<!`)\1(?!`)', re.S)
_re_block_math = re.compile(r'\$\$(.+?)\$\$', re.S)
_re_inline_math = re.compile(r'(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])')
_re_link_attrs = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}')
_re_div_open = re.compile(r'^:::+\s*\{?([^}\n]*)\}?\s*$')
_re_attr = re.compile(r'([\w-]+)=("[^"]*"|\'[^\']*\'|\S+)|\.([\w-]+)|#([\w-]+)')


def _attrs_html(spec: str) -> str:
    cls, out = [], []
    for k, v, c, i in _re_attr.findall(spec):
        if c: cls.append(c)
        elif i: out.append(f'id="{html.escape(i)}"')
        elif k: out.append(f'{k}="{html.escape(v.strip(chr(34) + chr(39)))}"')
    if cls: out.insert(0, f'class="{" ".join(cls)}"')
    return (' ' + ' '.join(out)) if out else ''


class MathStore:
    "LaTeX found in Markdown, swapped for placeholders that Markdown leaves alone, and MathML to put back."
    def __init__(self): self.items = {}

    def add(self, tex: str, display: bool) -> str:
        key = f'NSTMATH{len(self.items):04d}X'
        self.items[key] = (tex.strip(), display)
        return key

    def mathml(self, key: str) -> str:
        tex, display = self.items[key]
        try:
            from latex2mathml.converter import convert
            return convert(tex, display='block' if display else 'inline')
        except ImportError:
            return f'<code class="tex">{html.escape(tex)}</code>'
        except Exception as e:
            warnings.warn(f'could not convert LaTeX {tex!r}: {e}')
            return f'<code class="tex">{html.escape(tex)}</code>'

    def restore(self, page: str) -> str:
        return re.sub(r'NSTMATH\d{4}X', lambda m: self.mathml(m.group(0)) if m.group(0) in self.items else m.group(0), page)


def fix_markdown(md: str, math: MathStore) -> str:
    "Pandoc-isms that nbconvert's Markdown does not know, outside code: `[a](b){attrs}`, `::: {.cls}` and math."
    def prose(s):
        s = _re_link_attrs.sub(lambda m: f'<a href="{html.escape(m[2])}"{_attrs_html(m[3])}>{m[1]}</a>', s)
        s = _re_block_math.sub(lambda m: math.add(m[1], True), s)
        s = _re_inline_math.sub(lambda m: math.add(m[1], False), s)
        return s
    def inline(s):  # keep inline code spans as they are
        out, pos = [], 0
        for m in _re_code.finditer(s):
            out += [prose(s[pos:m.start()]), m.group(0)]; pos = m.end()
        return ''.join(out + [prose(s[pos:])])
    parts, pos = [], 0
    for m in _re_fence.finditer(md):
        parts += [inline(md[pos:m.start()]), m.group(0)]; pos = m.end()
    parts.append(inline(md[pos:]))
    lines = []
    for l in ''.join(parts).split('\n'):
        m = _re_div_open.match(l)
        if m and m.group(1).strip(): lines += ['', f'<div{_attrs_html(m.group(1))}>', '']
        elif m: lines += ['', '</div>', '']
        else: lines.append(l)
    return '\n'.join(lines)

# ----------------------------------------------------------------------------------------------------------------
# 4. notebook -> HTML

_re_directive = re.compile(r'^\s*#\|\s?(.*)$')
_re_fm = re.compile(r'^---\s*\n(.*?\S.*?)\n---\s*$', re.S)
WIDGET_MIME = 'application/vnd.jupyter.widget-view+json'


def _truthy(v: str) -> bool: return str(v).strip().strip('"\'').lower() in ('true', 'yes', '1', 'show')


def read_frontmatter(nb) -> dict:
    import yaml
    for c in nb.cells:
        if c.cell_type == 'raw':
            m = _re_fm.match(c.source.strip())
            if m:
                try: return yaml.safe_load(m.group(1)) or {}
                except Exception: return {}
    return {}


def prepare(nb, math: MathStore):
    "Apply front matter and Quarto cell options to a processed notebook; return it (modified in place)."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw':
            if _re_fm.match(c.source.strip()): continue  # front matter: the page header shows it
            fmt = (c.metadata.get('format') or c.metadata.get('raw_mimetype') or '').lower()
            if 'html' not in fmt: continue  # Quarto shows raw cells only in their own format
            cells.append(c); continue
        if c.cell_type == 'markdown':
            src = c.source.strip()
            if not src or re.fullmatch(r'<!--.*?-->', src, re.S): continue
            c.source = fix_markdown(c.source, math)
            cells.append(c); continue
        if c.cell_type != 'code': continue
        opts, code = {}, []
        for line in c.source.splitlines():
            m = _re_directive.match(line)
            if m:
                k, _, v = m.group(1).partition(':')
                opts[k.strip()] = v.strip()
            else: code.append(line)
        if opts.get('include') and not _truthy(opts['include']): continue
        c.source = '\n'.join(code).strip('\n')
        if opts.get('echo') and not _truthy(opts['echo']) or not c.source.strip():
            c.metadata.setdefault('transient', {})['remove_source'] = True
        if opts.get('output') and opts['output'].lower() not in ('asis', 'true'): c.outputs = []
        outs = []
        for o in c.get('outputs', []):
            data = o.get('data')
            if data is not None:
                if WIDGET_MIME in data:
                    del data[WIDGET_MIME]
                    if not any(k != 'text/plain' for k in data):
                        data.clear(); data['text/markdown'] = '*An interactive widget: run the notebook in Jupyter to use it.*'
                if 'text/markdown' in data:
                    md = data['text/markdown']
                    data['text/markdown'] = fix_markdown(''.join(md) if isinstance(md, list) else md, math)
            if o.get('output_type') == 'stream' and not ''.join(o.get('text') or ''): continue
            outs.append(o)
        c.outputs = outs
        if c.metadata.get('transient', {}).get('remove_source') and not outs: continue
        if 'code-fold' in opts and opts['code-fold'].lower() not in ('false', 'none'):
            tags = c.metadata.setdefault('tags', [])
            tags.append('nstfold-open' if opts['code-fold'].lower() == 'show' else 'nstfold')
            c.metadata['nst_summary'] = opts.get('code-summary', 'Code').strip('"\'')
        cells.append(c)
    nb.cells = cells
    nb.metadata.pop('widgets', None)
    return nb


TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def exporter():
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name='lab', raw_template=TEMPLATE, exclude_input_prompt=True,
                        exclude_output_prompt=True, embed_images=False, sanitize_html=False)


def pandoc_id(text: str) -> str:
    "Pandoc's (and so Quarto's) automatic heading identifier."
    s = re.sub(r'[^\w\s.-]', '', text, flags=re.U).strip().lower()
    s = re.sub(r'\s+', '-', s)
    s = re.sub(r'^[^a-z]+', '', s)
    return s or 'section'


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_tag}</title>
<meta name="description" content="{desc_attr}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{up}assets/notebook.css">
<link rel="stylesheet" href="{up}assets/site.css">
<link rel="stylesheet" href="{up}styles.css">
</head>
<body class="jp-Notebook nst-site" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<a class="skip-link" href="#content">Skip to content</a>
<div class="site">
<nav class="sidebar" id="sidebar" aria-label="Site">
<a class="site-title" href="{up}index.html">{site_title}</a>
<p class="site-description">{site_desc}</p>
{nav}
</nav>
<main class="content" id="content">
<header id="title-block-header" class="page-header">
<h1 class="title">{title}</h1>
{desc_html}
</header>
{body}
<footer class="page-footer">
<nav class="page-nav" aria-label="Previous and next page">{prevnext}</nav>
<p class="built-with">Built from the notebooks in <code>nbs/</code> with nbdev's processors and nbconvert
(<code>python tools/build_docs.py</code>).</p>
</footer>
</main>
</div>
</body>
</html>
"""


def nav_html(tree, pages: dict, current: str, up: str) -> str:
    "The sidebar: sections and pages in `sidebar.yml` order, the current page marked."
    def items(nodes):
        out = []
        for n in nodes:
            if n[0] == 'page':
                p = pages.get(n[1])
                if not p: continue
                cur = ' class="active" aria-current="page"' if n[1] == current else ''
                out.append(f'<li><a href="{up}{p["href"]}"{cur}>{html.escape(p["nav"])}</a></li>')
            else:
                inner = items(n[2])
                if inner: out.append(f'<li class="nav-section"><span class="section-title">{html.escape(n[1])}</span>'
                                     f'<ul>{"".join(inner)}</ul></li>')
        return out
    return f'<ul class="nav">{"".join(items(tree))}</ul>'


class Site:
    def __init__(self, out: Path, nbs_path: Path, cfg):
        self.out, self.nbs_path, self.cfg = out, nbs_path, cfg
        self.site_url = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/')
        self.git_url, self.branch = cfg.get('git_url', '').rstrip('/'), cfg.get('branch', 'main')
        self.copied, self.problems = set(), []
        try:
            import yaml
            web = (yaml.safe_load((nbs_path / 'nbdev.yml').read_text()) or {}).get('website', {})
            self.site_url = str(web.get('site-url') or self.site_url).rstrip('/')
        except Exception: pass

    def page_for(self, target: Path, pages_by_src: dict):
        return pages_by_src.get(target.resolve())

    def repo_url(self, p: Path) -> str | None:
        try: rel = p.resolve().relative_to(ROOT).as_posix()
        except ValueError: return None
        if not self.git_url: return None
        return f'{self.git_url}/{"tree" if p.is_dir() else "blob"}/{self.branch}/{rel}'

    def copy_asset(self, p: Path) -> str | None:
        "Copy a repository file into the site at the same relative path; return that path."
        try: rel = p.resolve().relative_to(ROOT)
        except ValueError: return None
        dst = self.out / rel
        if rel not in self.copied:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dst); self.copied.add(rel)
        return rel.as_posix()

    def fix_links(self, soup, src_nb: Path, page_rel: str, pages_by_src: dict, pages_by_href: dict):
        "Point notebook links and nbdev symbol links at local pages, copy local pictures in, mend heading ids."
        up = '../' * page_rel.count('/')
        base = src_nb.parent
        for a in soup.find_all('a', href=True):
            href = a['href']
            if href.startswith(('#', 'mailto:', 'data:', 'javascript:')): continue
            path, _, frag = href.partition('#')
            if href.startswith(('http://', 'https://')):
                if self.site_url and (path == self.site_url or path.startswith(self.site_url + '/')):
                    local = path[len(self.site_url):].lstrip('/') or 'index.html'
                    if local.endswith('/'): local += 'index.html'
                    if local in pages_by_href: a['href'] = up + local + (f'#{frag}' if frag else '')
                continue
            if '://' in path or not path: continue
            here = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(path)))
            if here in pages_by_href: continue  # already a link to a page of this site (`cli.html`)
            target = (base / unquote(path))
            if path.endswith('.ipynb') or path.endswith('.qmd'):
                p = self.page_for(target, pages_by_src)
                if p: a['href'] = up + p['href'] + (f'#{frag}' if frag else ''); continue
                url = self.repo_url(target) if target.exists() else None
                self.problems.append(f'{page_rel}: link to {href}: not a page of this site'
                                     + (f'; pointing at {url}' if url else ''))
                if url: a['href'] = url
                continue
            if target.exists():
                if target.is_file() and target.suffix.lower() in IMG_EXT | {'.pdf', '.txt', '.csv', '.json'}:
                    a['href'] = up + self.copy_asset(target) + (f'#{frag}' if frag else '')
                else:
                    url = self.repo_url(target)
                    if url: a['href'] = url
            else: self.problems.append(f'{page_rel}: broken link {href}')
        for img in soup.find_all('img', src=True):
            src = img['src']
            if src.startswith('data:'): continue
            if '://' in src:
                self.problems.append(f'{page_rel}: remote picture {src} will not show offline'); continue
            target = base / unquote(src.split('#')[0].split('?')[0])
            if target.is_file():
                rel = self.copy_asset(target)
                if rel: img['src'] = up + rel
                else: self.problems.append(f'{page_rel}: picture {src} is outside the repository')
            else: self.problems.append(f'{page_rel}: missing picture {src}')
        seen = {}
        for h in soup.find_all(re.compile(r'^h[1-6]$')):
            anchor = h.find('a', class_='anchor-link')
            if anchor: anchor.extract()
            ident = pandoc_id(h.get_text())
            n = seen.get(ident, 0); seen[ident] = n + 1
            if n: ident = f'{ident}-{n}'
            h['id'] = ident
            if anchor:
                anchor['href'] = f'#{ident}'; anchor['aria-label'] = 'Link to this section'
                h.append(anchor)


IMG_EXT = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.bmp'}


def build(out: Path, force=False, strict=False, workers=2) -> dict:
    import nbformat
    from bs4 import BeautifulSoup
    from nbdev.config import get_config
    from nbdev.doclinks import _nbpath2html
    t0 = time.time()
    cfg = get_config(path=ROOT)
    nbs_path, cache = Path(cfg.nbs_path), ROOT / '_proc'
    tree = sidebar_entries(nbs_path / 'sidebar.yml')
    entries, missing = [], []
    for _, rel, text in flat_pages(tree):
        src = nbs_path / rel
        if not src.suffix == '.ipynb': warnings.warn(f'sidebar.yml: {rel}: only notebooks are built, skipped'); continue
        if not src.exists(): missing.append(rel); print(f'WARNING build_docs: sidebar.yml lists {rel}, which does not exist: skipped', file=sys.stderr); continue
        entries.append((rel, text, src))
    process_notebooks([s for _, _, s in entries], nbs_path, cache, force=force, strict=strict, workers=workers)
    t1 = time.time()

    # output folder: only ever empty one this script made
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        sys.exit(f'{out} exists and was not made by build_docs.py: remove it or choose another --out')
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True); (out / MARKER).write_text('made by tools/build_docs.py\n')
    (out / 'assets').mkdir()

    pages, nbs = {}, {}
    for rel, text, src in entries:
        nb = nbformat.read(cache / rel, as_version=4)
        fm = read_frontmatter(nb)
        href = fm.get('output-file') or _nbpath2html(Path(rel)).as_posix()
        href = (Path(rel).parent / Path(href).name).as_posix() if '/' in rel else href
        title = str(fm.get('title') or Path(rel).stem)
        pages[rel] = dict(rel=rel, src=src.resolve(), href=href, title=title, nav=text or title,
                          description=str(fm.get('description') or '').strip())
        nbs[rel] = nb
    pages_by_src = {p['src']: p for p in pages.values()}
    pages_by_href = {p['href']: p for p in pages.values()}
    order = list(pages)

    exp, css_seen = exporter(), None
    site = Site(out, nbs_path, cfg)
    site_title = html.escape(str(cfg.get('title', 'Docs')))
    site_desc = html.escape(str(cfg.get('description', '')).split(':')[0])
    for i, rel in enumerate(order):
        p, math = pages[rel], MathStore()
        nb = prepare(nbs[rel], math)
        body_html, _ = exp.from_notebook_node(nb, resources={'metadata': {'name': p['title'], 'path': str(p['src'].parent)}})
        soup = BeautifulSoup(body_html, 'html.parser')
        css = '\n'.join(s.string or '' for s in soup.head.find_all('style'))
        if css_seen is None:
            (out / 'assets' / 'notebook.css').write_text(css); css_seen = hashlib.sha1(css.encode()).hexdigest()
        elif hashlib.sha1(css.encode()).hexdigest() != css_seen:
            warnings.warn(f'{rel}: nbconvert CSS differs from the first page; using the first page\'s')
        main = soup.find('main')
        for div in main.select('.celltag_nstfold, .celltag_nstfold-open'):
            inp = div.select_one('.jp-Cell-inputWrapper')
            if inp is None: continue
            det = soup.new_tag('details', attrs={'class': 'code-fold'})
            if 'celltag_nstfold-open' in div.get('class', []): det['open'] = ''
            summ = soup.new_tag('summary'); summ.string = 'Exported source'; det.append(summ)
            inp.wrap(det)
        site.fix_links(main, p['src'], p['href'], pages_by_src, pages_by_href)
        up = '../' * p['href'].count('/')
        prev_ = pages[order[i - 1]] if i > 0 else None
        next_ = pages[order[i + 1]] if i + 1 < len(order) else None
        pn = ''
        if prev_: pn += f'<a class="prev" rel="prev" href="{up}{prev_["href"]}">&larr; {html.escape(prev_["nav"])}</a>'
        if next_: pn += f'<a class="next" rel="next" href="{up}{next_["href"]}">{html.escape(next_["nav"])} &rarr;</a>'
        desc = p['description']
        page = PAGE.format(
            title_tag=html.escape(p['title'] if rel == 'index.ipynb' else f'{p["title"]} – {cfg.get("title", "")}'),
            desc_attr=html.escape(desc, quote=True), up=up, site_title=site_title, site_desc=site_desc,
            nav=nav_html(tree, pages, rel, up), title=html.escape(p['title']),
            desc_html=f'<div class="description">{html.escape(desc)}</div>' if desc else '',
            body=main.decode_contents(), prevnext=pn)
        dst = out / p['href']
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(math.restore(page), encoding='utf-8')
    css_src = nbs_path / 'styles.css'
    (out / 'styles.css').write_text(css_src.read_text() if css_src.exists() else '')
    (out / 'assets' / 'site.css').write_text(SITE_CSS)
    (out / '.nojekyll').write_text('')
    for msg in site.problems: print(f'WARNING build_docs: {msg}', file=sys.stderr)
    t2 = time.time()
    print(f'built {len(pages)} page(s) into {out} (nbdev processing {t1 - t0:.1f} s, rendering {t2 - t1:.1f} s)'
          + (f'; missing from nbs/: {", ".join(missing)}' if missing else ''))
    return dict(pages={r: p['href'] for r, p in pages.items()}, missing=missing, problems=site.problems)


SITE_CSS = r"""/* nst_nb documentation site: layout, sidebar and readable text, on top of nbconvert's JupyterLab styles. */
.nst-site { --jp-code-font-size: 13.5px; --jp-content-font-size1: 16px; }
:root { --nst-sidebar-w: 17rem; --nst-accent: #2c6fbb; --nst-muted: #5c6670; --nst-border: #e3e6ea; }
html { scroll-padding-top: 1rem; }
body.nst-site { margin: 0; padding: 0; background: #fff; color: #1f2328;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 16px; }
.nst-site .site { display: flex; min-height: 100vh; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }

/* sidebar */
.sidebar { flex: 0 0 var(--nst-sidebar-w); box-sizing: border-box; position: sticky; top: 0; align-self: flex-start;
  height: 100vh; overflow-y: auto; padding: 1.5rem 1.25rem; background: #f6f8fa; border-right: 1px solid var(--nst-border);
  font-size: .95rem; }
.sidebar .site-title { display: block; font-size: 1.35rem; font-weight: 700; color: #1f2328; text-decoration: none; }
.sidebar .site-title { padding: 0 .6rem; }
.sidebar .site-description { padding: 0 .6rem; margin: .35rem 0 1.25rem; color: var(--nst-muted); font-size: .85rem; line-height: 1.35; }
.sidebar ul { list-style: none; margin: 0; padding: 0; }
.sidebar li { margin: 0; }
.sidebar a { display: block; padding: .3rem .6rem; border-radius: 6px; color: #24292f; text-decoration: none; line-height: 1.3; }
.sidebar a:hover { background: #eaeef2; }
.sidebar a.active { background: #dbe9f8; color: #0b4a8b; font-weight: 600; }
.sidebar .nav-section { margin-top: 1rem; }
.sidebar .section-title { display: block; padding: 0 .6rem .3rem; font-size: .75rem; font-weight: 700; letter-spacing: .06em;
  text-transform: uppercase; color: var(--nst-muted); }

/* page */
.content { flex: 1 1 auto; min-width: 0; max-width: 58rem; box-sizing: border-box; padding: 2rem 3rem 3rem; }
.page-header { margin-bottom: 1.5rem; padding-bottom: 1rem; border-bottom: 1px solid var(--nst-border); }
.page-header h1.title { margin: 0; font-size: 2.3rem; line-height: 1.2; font-weight: 700; }
.page-header .description { margin-top: .5rem; color: var(--nst-muted); }
.content .jp-Cell { padding: 0; margin: 0 0 .9rem; }
.content .jp-RenderedHTMLCommon { font-size: 1rem; line-height: 1.6; padding-right: 0; color: #1f2328; }
.content .jp-MarkdownOutput { padding-left: 0; }
.content .jp-RenderedHTMLCommon p { margin: 0 0 .9rem; }
.content .jp-RenderedHTMLCommon h2 { margin-top: 2rem; border-bottom: 1px solid var(--nst-border); padding-bottom: .3rem; }
.content .jp-RenderedHTMLCommon h1, .content .jp-RenderedHTMLCommon h2, .content .jp-RenderedHTMLCommon h3 { position: relative; }
.content a.anchor-link { display: inline; margin-left: .35rem; color: #b0b7bf; text-decoration: none; visibility: hidden; }
.content :is(h1,h2,h3,h4):hover a.anchor-link { visibility: visible; }
.content a { color: var(--nst-accent); }
.content img { max-width: 100%; height: auto; }
.content .jp-RenderedHTMLCommon table { border-collapse: collapse; margin: 0 0 1rem; font-size: .93rem; display: block; overflow-x: auto; }
.content .jp-RenderedHTMLCommon th, .content .jp-RenderedHTMLCommon td { border: 1px solid var(--nst-border); padding: .35rem .6rem;
  text-align: left; vertical-align: top; }
.content .jp-RenderedHTMLCommon thead th { background: #f6f8fa; }
.content .jp-RenderedHTMLCommon tr:nth-child(even) td { background: transparent; }
.content .jp-RenderedHTMLCommon code { background: #f2f4f6; padding: .1em .3em; border-radius: 4px; font-size: .88em; }
.content .jp-RenderedHTMLCommon pre { background: #f6f8fa; padding: .7rem .9rem; border-radius: 6px; overflow-x: auto;
  font-size: var(--jp-code-font-size); line-height: 1.45; }
.content .jp-RenderedHTMLCommon pre code { background: none; padding: 0; }
.content math { font-size: 1.15em; }
.content math[display="block"] { margin: 1rem 0; overflow-x: auto; font-size: 1.3em; }
/* code cells and their outputs */
.content .jp-InputArea-editor { border: 1px solid var(--nst-border); border-radius: 6px; background: #f6f8fa; overflow-x: auto; }
.content .jp-InputArea-editor .highlight pre { overflow: visible; }
.content .jp-CodeCell .jp-Cell-outputWrapper { margin-top: .35rem; }
.content .jp-OutputArea-output pre { border-left: 3px solid #f0b38a; padding-left: .7rem; margin: 0; }
.content .jp-OutputArea-output.jp-RenderedMarkdown pre { border-left: none; }
.content .jp-OutputArea-output img { max-width: 100%; height: auto; }
.content .jp-RenderedImage { padding: .25rem 0; }
details.code-fold > summary { cursor: pointer; color: var(--nst-muted); font-size: .9rem; margin-bottom: .3rem; }
/* show_doc blocks */
.content .jp-OutputArea-output.jp-RenderedMarkdown hr { border: 0; border-top: 1px solid var(--nst-border); margin: 1.2rem 0 .6rem; }
.content .jp-OutputArea-output.jp-RenderedMarkdown h3, .content .jp-OutputArea-output.jp-RenderedMarkdown h4 {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 1.1rem; margin-top: .3rem; }
/* footer */
.page-footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--nst-border); color: var(--nst-muted); font-size: .85rem; }
.page-nav { display: flex; justify-content: space-between; gap: 1rem; margin-bottom: 1rem; font-size: 1rem; }
.page-nav a { text-decoration: none; }
.page-nav .next { margin-left: auto; }
@media (max-width: 52rem) {
  .nst-site .site { display: block; }
  .sidebar { position: static; height: auto; border-right: 0; border-bottom: 1px solid var(--nst-border); }
  .content { padding: 1.25rem; }
}
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='_site', help='output folder, relative to the repository root (default _site)')
    ap.add_argument('--force', action='store_true', help='re-process every notebook, ignoring the _proc/ cache')
    ap.add_argument('--strict', action='store_true', help='a cell failing in nbdev processing is an error, as in nbdev_docs')
    ap.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1), help='processes for nbdev processing')
    a = ap.parse_args(argv)
    os.environ.setdefault('NST_NB_BACKBONE', 'vgg16-hed')
    out = Path(a.out)
    out = out if out.is_absolute() else ROOT / out
    build(out, force=a.force, strict=a.strict, workers=max(1, a.workers))


if __name__ == '__main__':
    main()
