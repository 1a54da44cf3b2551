"""Pandoc-isms that nbconvert's Markdown (mistune) does not know, turned into HTML; LaTeX kept aside for MathML."""
from __future__ import annotations

import html, re, warnings

_re_fence = re.compile(r'(^[ \t]*(```|~~~).*?^[ \t]*\2[ \t]*$)', re.M | re.S)
_re_code = re.compile(r'(`+)(?!`).+?(?<!`)\1(?!`)', re.S)
_re_block_math = re.compile(r'\$\$(.+?)\$\$', re.S)
_re_inline_math = re.compile(r'(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])')
_re_link_attrs = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}')
_re_div_open = re.compile(r'^:::+\s*\{?([^}\n]*)\}?\s*$')
_re_attr = re.compile(r'([\w-]+)=("[^"]*"|\'[^\']*\'|\S+)|\.([\w-]+)|#([\w-]+)')
_re_placeholder = re.compile(r'NSTMATH\d{4}X')


def attrs_html(spec: str) -> str:
    "HTML attributes (with a leading space) for a pandoc attribute list such as `.cls #id key=value`."
    cls, out = [], []
    for k, v, c, i in _re_attr.findall(spec):
        if c: cls.append(c)
        elif i: out.append(f'id="{html.escape(i)}"')
        elif k: out.append(f'{k}="{html.escape(v.strip(chr(34) + chr(39)))}"')
    if cls: out.insert(0, f'class="{" ".join(cls)}"')
    return (' ' + ' '.join(out)) if out else ''


def tex_html(tex: str) -> str:
    "LaTeX shown as code, where it cannot be MathML."
    return f'<code class="tex">{html.escape(tex)}</code>'


def mathml(tex: str, display: bool = False) -> str:
    "MathML for `tex` (a block when `display`), by `latex2mathml`; the LaTeX as code without it or when it fails."
    try: from latex2mathml.converter import convert
    except ImportError: return tex_html(tex)
    try: return convert(tex, display='block' if display else 'inline')
    except Exception as e:
        warnings.warn(f'could not convert LaTeX {tex!r}: {e}')
        return tex_html(tex)


class MathStore:
    "LaTeX found in Markdown, swapped for placeholders that Markdown leaves alone, and MathML to put back."
    def __init__(self): self.items = {}

    def add(self, tex: str, display: bool) -> str:
        "The placeholder that stands for `tex` until `restore`."
        key = f'NSTMATH{len(self.items):04d}X'
        self.items[key] = (tex.strip(), display)
        return key

    def restore(self, page: str) -> str:
        "`page` with each placeholder of this store replaced by its MathML."
        return _re_placeholder.sub(lambda m: mathml(*self.items[m[0]]) if m[0] in self.items else m[0], page)


def fix_prose(s: str, math: MathStore) -> str:
    "Markdown text without code: `[a](b){attrs}` links made HTML, math swapped for `math`'s placeholders."
    s = _re_link_attrs.sub(lambda m: f'<a href="{html.escape(m[2])}"{attrs_html(m[3])}>{m[1]}</a>', s)
    s = _re_block_math.sub(lambda m: math.add(m[1], True), s)
    return _re_inline_math.sub(lambda m: math.add(m[1], False), s)


def outside(pattern: re.Pattern, s: str, f) -> str:
    "`s` with `f` applied to the text between the matches of `pattern`, the matches kept as they are."
    out, pos = [], 0
    for m in pattern.finditer(s):
        out += [f(s[pos:m.start()]), m.group(0)]; pos = m.end()
    return ''.join(out + [f(s[pos:])])


def fenced_divs(md: str) -> str:
    "`md` with pandoc's fenced divs (`::: {.cls}` ... `:::`) made `<div>`s."
    lines = []
    for l in md.split('\n'):
        m = _re_div_open.match(l)
        if m and m.group(1).strip(): lines += ['', f'<div{attrs_html(m.group(1))}>', '']
        elif m: lines += ['', '</div>', '']
        else: lines.append(l)
    return '\n'.join(lines)


def fix_markdown(md: str, math: MathStore) -> str:
    "Pandoc-isms that nbconvert's Markdown does not know, outside code: `[a](b){attrs}`, `::: {.cls}` and math."
    prose = lambda s: outside(_re_code, s, lambda t: fix_prose(t, math))  # inline code spans are kept as they are
    return fenced_divs(outside(_re_fence, md, prose))
