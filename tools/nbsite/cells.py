"""A processed notebook made ready for nbconvert: front matter read, Quarto cell options applied, Markdown fixed."""
from __future__ import annotations

import re

from .markdown import MathStore, fix_markdown

_re_fm = re.compile(r'^---\s*\n(.*?\S.*?)\n---\s*$', re.S)
_re_comment = re.compile(r'<!--.*?-->', re.S)
WIDGET_MIME = 'application/vnd.jupyter.widget-view+json'
WIDGET_NOTE = '*An interactive widget: run the notebook in Jupyter to use it.*'


def is_true(v: str) -> bool:
    "Whether a cell option's value (`true`, `yes`, `show`, ...) switches it on."
    return str(v).strip().strip('"\'').lower() in ('true', 'yes', '1', 'show')


def is_frontmatter(c) -> bool:
    "Whether `c` is the raw `---` YAML cell that nbdev writes at the top of a processed notebook."
    return c.cell_type == 'raw' and bool(_re_fm.match(c.source.strip()))


def frontmatter(nb) -> dict:
    "The front matter of a processed notebook (`title`, `description`, `output-file`, ...); {} if none or unreadable."
    import yaml
    for c in nb.cells:
        if is_frontmatter(c):
            try: return yaml.safe_load(_re_fm.match(c.source.strip()).group(1)) or {}
            except yaml.YAMLError: return {}
    return {}


def cell_options(cell) -> tuple:
    "The leading `#| key: value` options of a code cell, as nbdev reads them, and the code after them."
    from nbdev.process import extract_directives, first_code_ln
    opts = {k.rstrip(':'): ' '.join(v) for k, v in extract_directives(cell, remove=False).items()}
    lines = cell.source.splitlines()
    first = first_code_ln(lines)  # None: nothing but options and blank lines
    return opts, '' if first is None else '\n'.join(lines[first:]).strip('\n')


def shown_output(o, math: MathStore):
    "Output `o` as the page shows it: widgets replaced by a note, Markdown fixed; None for an empty stream."
    data = o.get('data')
    if data is not None:
        if WIDGET_MIME in data:
            del data[WIDGET_MIME]
            if not any(k != 'text/plain' for k in data):
                data.clear(); data['text/markdown'] = WIDGET_NOTE
        if 'text/markdown' in data:
            md = data['text/markdown']
            data['text/markdown'] = fix_markdown(''.join(md) if isinstance(md, list) else md, math)
    if o.get('output_type') == 'stream' and not ''.join(o.get('text') or ''): return None
    return o


def shown_code(c, math: MathStore):
    "Code cell `c` with its cell options applied (as Quarto does), or None if the page shows nothing of it."
    opts, c.source = cell_options(c)
    if opts.get('include') and not is_true(opts['include']): return None
    hide_source = bool(opts.get('echo') and not is_true(opts['echo']) or not c.source.strip())
    if hide_source: c.metadata.setdefault('transient', {})['remove_source'] = True
    if opts.get('output') and opts['output'].lower() not in ('asis', 'true'): c.outputs = []
    c.outputs = [o for o in (shown_output(o, math) for o in c.get('outputs', [])) if o is not None]
    if hide_source and not c.outputs: return None
    fold = opts.get('code-fold', 'false').lower()
    if fold not in ('false', 'none'):
        c.metadata.setdefault('tags', []).append('nstfold-open' if fold == 'show' else 'nstfold')
        c.metadata['nst_summary'] = opts.get('code-summary', 'Code').strip('"\'')
    return c


def shown_cell(c, math: MathStore):
    "Cell `c` ready for nbconvert, or None if the page does not show it."
    if c.cell_type == 'raw':  # front matter: the page header shows it; Quarto shows raw cells only in their format
        fmt = (c.metadata.get('format') or c.metadata.get('raw_mimetype') or '').lower()
        return c if 'html' in fmt and not is_frontmatter(c) else None
    if c.cell_type == 'markdown':
        src = c.source.strip()
        if not src or _re_comment.fullmatch(src): return None
        c.source = fix_markdown(c.source, math)
        return c
    return shown_code(c, math) if c.cell_type == 'code' else None


def prepare(nb, math: MathStore):
    "Processed notebook `nb` with front matter and Quarto cell options applied (modified in place, and returned)."
    nb.cells = [c for c in (shown_cell(c, math) for c in nb.cells) if c is not None]
    nb.metadata.pop('widgets', None)
    return nb
