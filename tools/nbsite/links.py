"""Links of a rendered page pointed at this site: notebooks, nbdev's symbol links, pictures and heading anchors."""
from __future__ import annotations

import posixpath, re, shutil
from pathlib import Path
from urllib.parse import unquote

SKIP_SCHEMES = ('#', 'mailto:', 'data:', 'javascript:')
PICTURE_EXT = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.bmp'}
COPIED_EXT = PICTURE_EXT | {'.pdf', '.txt', '.csv', '.json'}  # files a link may point at, copied into the site


def pandoc_id(text: str) -> str:
    "Pandoc's (and so Quarto's) automatic heading identifier."
    s = re.sub(r'[^\w\s.-]', '', text, flags=re.U).strip().lower()
    s = re.sub(r'\s+', '-', s)
    s = re.sub(r'^[^a-z]+', '', s)
    return s or 'section'


def heading_ids(texts: list) -> list:
    "Pandoc's identifiers for headings `texts` in page order: a repeated one gets `-1`, `-2`, ..."
    seen, out = {}, []
    for t in texts:
        ident = pandoc_id(t)
        n = seen.get(ident, 0); seen[ident] = n + 1
        out.append(f'{ident}-{n}' if n else ident)
    return out


def up_path(page: str) -> str:
    "The relative path from page `page` (`a/b.html`) up to the site's root (`../`)."
    return '../' * page.count('/')


def site_path(url: str, site_url: str) -> str | None:
    "The page of the site at `site_url` that absolute `url` (without fragment) names; None if outside that site."
    if not site_url or not (url == site_url or url.startswith(site_url + '/')): return None
    local = url[len(site_url):].lstrip('/') or 'index.html'
    return local + 'index.html' if local.endswith('/') else local


def with_fragment(path: str, frag: str) -> str:
    "`path#frag`, or `path` when `frag` is empty."
    return f'{path}#{frag}' if frag else path


class Links:
    "Rewrites the links of a site's pages; copies the files they use into `out`; collects the problems found."
    def __init__(self, root: Path, out: Path, site_url: str, git_url: str = '', branch: str = 'main',
                 pages_by_src: dict | None = None, pages_by_href: dict | None = None):
        self.root, self.out = root.resolve(), out  # root: the repository, the only files copied or linked to
        self.site_url, self.git_url, self.branch = site_url.rstrip('/'), git_url.rstrip('/'), branch
        self.pages_by_src = pages_by_src or {}  # notebook path (resolved) -> page
        self.pages_by_href = pages_by_href or {}  # page path in the site -> page
        self.copied, self.problems = set(), []

    def repo_url(self, p: Path) -> str | None:
        "The repository host's URL of file or folder `p`; None outside the repository or without `git_url`."
        try: rel = p.resolve().relative_to(self.root).as_posix()
        except ValueError: return None
        if not self.git_url: return None
        return f'{self.git_url}/{"tree" if p.is_dir() else "blob"}/{self.branch}/{rel}'

    def copy_asset(self, p: Path) -> str | None:
        "Copy repository file `p` into the site at the same relative path; return that path (None outside the repository)."
        try: rel = p.resolve().relative_to(self.root)
        except ValueError: return None
        if rel not in self.copied:
            dst = self.out / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dst); self.copied.add(rel)
        return rel.as_posix()

    def notebook_href(self, href: str, target: Path, page: str, frag: str) -> str:
        "Where a link `href` to notebook `target` points: its page, else the repository's copy."
        p = self.pages_by_src.get(target.resolve())
        if p: return up_path(page) + with_fragment(p.href, frag)
        url = self.repo_url(target) if target.exists() else None
        self.problems.append(f'{page}: link to {href}: not a page of this site' + (f'; pointing at {url}' if url else ''))
        return url or href

    def link_href(self, href: str, page: str, base: Path) -> str:
        "Where link `href`, on page `page` of a notebook in folder `base`, points in the site."
        if href.startswith(SKIP_SCHEMES): return href
        path, _, frag = href.partition('#')
        if href.startswith(('http://', 'https://')):  # nbdev's symbol links name the published site
            local = site_path(path, self.site_url)
            return up_path(page) + with_fragment(local, frag) if local in self.pages_by_href else href
        if '://' in path or not path: return href
        if posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path))) in self.pages_by_href:
            return href  # already a link to a page of this site (`cli.html`)
        target = base / unquote(path)
        if path.endswith(('.ipynb', '.qmd')): return self.notebook_href(href, target, page, frag)
        if not target.exists():
            self.problems.append(f'{page}: broken link {href}'); return href
        rel = self.copy_asset(target) if target.is_file() and target.suffix.lower() in COPIED_EXT else None
        return up_path(page) + with_fragment(rel, frag) if rel else (self.repo_url(target) or href)

    def picture_src(self, src: str, page: str, base: Path) -> str:
        "Where picture `src`, on page `page` of a notebook in folder `base`, is found in the site (copied there)."
        if src.startswith('data:'): return src
        if '://' in src:
            self.problems.append(f'{page}: remote picture {src} will not show offline'); return src
        target = base / unquote(src.split('#')[0].split('?')[0])
        if not target.is_file():
            self.problems.append(f'{page}: missing picture {src}'); return src
        rel = self.copy_asset(target)
        if rel: return up_path(page) + rel
        self.problems.append(f'{page}: picture {src} is outside the repository'); return src

    def fix(self, soup, src_nb: Path, page: str) -> None:
        "Point the links and pictures of `soup`, page `page` made from notebook `src_nb`, at the site; mend heading ids."
        for a in soup.find_all('a', href=True): a['href'] = self.link_href(a['href'], page, src_nb.parent)
        for img in soup.find_all('img', src=True): img['src'] = self.picture_src(img['src'], page, src_nb.parent)
        mend_headings(soup)


def mend_headings(soup) -> None:
    "Give the headings of `soup` pandoc's identifiers, and their anchor links (moved last) those targets."
    heads = soup.find_all(re.compile(r'^h[1-6]$'))
    anchors = [h.find('a', class_='anchor-link') for h in heads]
    for a in anchors:
        if a: a.extract()
    for h, a, ident in zip(heads, anchors, heading_ids([h.get_text() for h in heads])):
        h['id'] = ident
        if a:
            a['href'] = f'#{ident}'; a['aria-label'] = 'Link to this section'
            h.append(a)
