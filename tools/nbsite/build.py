"""The site built from the notebooks: `build`, and `main`, the command line of `tools/build_docs.py`."""
from __future__ import annotations

import argparse, hashlib, os, re, shutil, sys, time, warnings
from dataclasses import dataclass
from pathlib import Path

from . import STATIC, __doc__ as ABOUT
from .sidebar import flat_links, read_sidebar, shown_tree

ROOT = Path(__file__).resolve().parents[2]
MARKER = '.nst_nb_site'  # written into the output folder so a rebuild may safely empty it


@dataclass
class Page:
    "A page of the site: its notebook (`rel` to `nbs/`, `src`), its path in the site, title, sidebar text, description."
    rel: str
    src: Path
    href: str
    title: str
    nav: str
    description: str = ''


def page_name(rel: str) -> str:
    "The page nbdev names for notebook `rel` (`00_images.ipynb` -> `images.html`), as its symbol links name it."
    p = Path(rel)
    return p.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', p.name.lower())).with_suffix('.html').as_posix()


def page_href(rel: str, fm: dict) -> str:
    "The path in the site of notebook `rel`'s page: the front matter's `output-file` (nbdev sets it), in `rel`'s folder."
    name = Path(fm.get('output-file') or page_name(rel)).name
    return (Path(rel).parent / name).as_posix()


def make_page(rel: str, src: Path, text: str | None, fm: dict) -> Page:
    "The `Page` of notebook `rel` (file `src`), with the sidebar's `text` and the front matter `fm`."
    title = str(fm.get('title') or Path(rel).stem)
    return Page(rel, src.resolve(), page_href(rel, fm), title, text or title, str(fm.get('description') or '').strip())


def site_url(cfg, nbs_path: Path) -> str:
    "The published site's URL: `website.site-url` of `nbs/nbdev.yml`, else settings.ini's doc_host + doc_baseurl."
    import yaml
    url = cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')
    try: url = (yaml.safe_load((nbs_path / 'nbdev.yml').read_text()) or {}).get('website', {}).get('site-url') or url
    except (OSError, yaml.YAMLError): pass
    return str(url).rstrip('/')


def listed_notebooks(tree: list, nbs_path: Path) -> tuple:
    "The sidebar's notebooks that exist, `[(rel, text, path)]`, and those listed but missing."
    found, missing = [], []
    for n in flat_links(tree):
        src = nbs_path / n.rel
        if src.suffix != '.ipynb': warnings.warn(f'sidebar.yml: {n.rel}: only notebooks are built, skipped')
        elif not src.exists():
            missing.append(n.rel)
            print(f'WARNING build_docs: sidebar.yml lists {n.rel}, which does not exist: skipped', file=sys.stderr)
        else: found.append((n.rel, n.text, src))
    return found, missing


def empty_out(out: Path) -> None:
    "Make `out` an empty site folder; refuse to empty one that `build` did not make."
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        sys.exit(f'{out} exists and was not made by build_docs.py: remove it or choose another --out')
    if out.exists(): shutil.rmtree(out)
    (out / 'assets').mkdir(parents=True)
    (out / MARKER).write_text('made by tools/build_docs.py\n')


def neighbours(seq: list, i: int) -> tuple:
    "The items before and after `seq[i]` (None at the ends)."
    return (seq[i - 1] if i > 0 else None), (seq[i + 1] if i + 1 < len(seq) else None)


def build(out: Path, force=False, strict=False, workers=2, root: Path = ROOT) -> dict:
    "Build the site of the repository at `root` into `out`; return its pages, the missing notebooks and the problems."
    import nbformat
    from bs4 import BeautifulSoup
    from nbdev.config import get_config
    from .cells import frontmatter, prepare
    from .links import Links, up_path
    from .markdown import MathStore
    from .process import process_notebooks
    from .render import exporter, fold_code, notebook_css, page_html
    t0 = time.time()
    cfg = get_config(path=root)
    nbs_path, cache = Path(cfg.nbs_path), root / '_proc'
    tree = read_sidebar(nbs_path / 'sidebar.yml')
    entries, missing = listed_notebooks(tree, nbs_path)
    process_notebooks([s for _, _, s in entries], nbs_path, cache, cfg.config_file, force=force, strict=strict,
                      workers=workers)
    t1 = time.time()
    empty_out(out)

    nbs = {rel: nbformat.read(cache / rel, as_version=4) for rel, _, _ in entries}
    pages = {rel: make_page(rel, src, text, frontmatter(nbs[rel])) for rel, text, src in entries}
    order, nav = list(pages.values()), shown_tree(tree, set(pages))
    links = Links(root, out, site_url(cfg, nbs_path), cfg.get('git_url', ''), cfg.get('branch', 'main'),
                  {p.src: p for p in order}, {p.href: p for p in order})
    exp, css_seen = exporter(), None
    for i, p in enumerate(order):
        math = MathStore()
        body, _ = exp.from_notebook_node(prepare(nbs[p.rel], math),
                                         resources={'metadata': {'name': p.title, 'path': str(p.src.parent)}})
        soup = BeautifulSoup(body, 'html.parser')
        css = hashlib.sha1(notebook_css(soup).encode()).hexdigest()
        if css_seen is None: (out / 'assets' / 'notebook.css').write_text(notebook_css(soup)); css_seen = css
        elif css != css_seen: warnings.warn(f"{p.rel}: nbconvert CSS differs from the first page; using the first page's")
        main = soup.find('main')
        fold_code(main)
        links.fix(main, p.src, p.href)
        prev, next_ = neighbours(order, i)
        html = page_html(main.decode_contents(), page=p, prev=prev, next=next_, nav=nav, pages=pages, up=up_path(p.href),
                         site_title=str(cfg.get('title', 'Docs')), site_description=str(cfg.get('description', '')).split(':')[0])
        dst = out / p.href
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(math.restore(html), encoding='utf-8')
    css_src = nbs_path / 'styles.css'
    (out / 'styles.css').write_text(css_src.read_text() if css_src.exists() else '')
    shutil.copy(STATIC / 'site.css', out / 'assets' / 'site.css')
    (out / '.nojekyll').write_text('')
    for msg in links.problems: print(f'WARNING build_docs: {msg}', file=sys.stderr)
    print(f'built {len(pages)} page(s) into {out} (nbdev processing {t1 - t0:.1f} s, rendering {time.time() - t1:.1f} s)'
          + (f'; missing from nbs/: {", ".join(missing)}' if missing else ''))
    return dict(pages={r: p.href for r, p in pages.items()}, missing=missing, problems=links.problems)


def parser() -> argparse.ArgumentParser:
    "The command line of `tools/build_docs.py`."
    ap = argparse.ArgumentParser(prog='tools/build_docs.py', description=ABOUT,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='_site', help='output folder, relative to the repository root (default _site)')
    ap.add_argument('--force', action='store_true', help='re-process every notebook, ignoring the _proc/ cache')
    ap.add_argument('--strict', action='store_true', help='a cell failing in nbdev processing is an error, as in nbdev_docs')
    ap.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1), help='processes for nbdev processing')
    return ap


def main(argv=None):
    "Build the site as the command line `argv` asks."
    a = parser().parse_args(argv)
    os.environ.setdefault('NST_NB_BACKBONE', 'vgg16-hed')
    out = Path(a.out)
    build(out if out.is_absolute() else ROOT / out, force=a.force, strict=a.strict, workers=max(1, a.workers))
