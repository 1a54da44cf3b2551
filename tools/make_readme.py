"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it).

    python tools/make_readme.py

Cells marked `#| hide` are left out, other `#|` directives are removed, the `# Title` / `> subtitle` header is kept as
Markdown, and links to notebooks (`01_images.ipynb`) point at `nbs/`. Paths like `../images/x.jpg` (relative to
`nbs/`, as the docs need them) become `images/x.jpg`, relative to the repository root where README.md lives.
"""
import re
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]

def readme_notebook(path: Path) -> nbformat.NotebookNode:
    "The index notebook without hidden cells and directives."
    nb = nbformat.read(path, as_version=4)
    cells = []
    for c in nb.cells:
        lines = c.source.splitlines()
        if any(re.match(r'#\|\s*hide\b', l) for l in lines): continue
        c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if c.source or c.get('outputs'): cells.append(c)
    nb.cells = cells
    return nb

def main():
    body, _ = MarkdownExporter().from_notebook_node(readme_notebook(ROOT / 'nbs' / 'index.ipynb'))
    body = re.sub(r'\]\((\d\d[a-z]?_[\w]+\.ipynb)\)', r'](nbs/\1)', body).replace('](../', '](')
    note = '<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n'
    (ROOT / 'README.md').write_text(note + re.sub(r'\n{3,}', '\n\n', body).strip() + '\n')
    print('wrote', ROOT / 'README.md')

if __name__ == '__main__':
    main()
