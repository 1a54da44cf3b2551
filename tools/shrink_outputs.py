#!/usr/bin/env python
"""Keep the notebooks' saved pictures small: one JPEG per picture, at most `--width` px wide, re-encoded when large.

    python tools/shrink_outputs.py                 # every notebook in nbs/ and app/
    python tools/shrink_outputs.py nbs/03_gram.ipynb --check    # only report; exit 1 if a notebook is over the limit

For each output of a code cell: a PNG becomes a JPEG (transparent parts on white), a PNG beside a JPEG of the same
picture (a PIL image left as a cell's value stores both) is dropped, and a JPEG over `--max-kb` or wider than
`--width` is re-encoded smaller; a notebook still over 200 KB has all its pictures re-encoded at lower quality. The figures' text and every other output stay as they are. `tools/refresh_notebooks.py`
calls it after re-running a notebook; `tests/test_notebook_sizes.py` checks the limits (200 KB a notebook, 3,530 KB in all).
"""
from __future__ import annotations
import argparse, base64, io, json, sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NB_LIMIT_KB, TOTAL_LIMIT_KB = 200, 3530


def jpeg_b64(img: Image.Image, width: int, quality: int) -> str:
    "`img` as base64 JPEG text, no wider than `width`, flattened on white."
    if img.mode in ('RGBA', 'LA', 'P'):
        img = img.convert('RGBA'); bg = Image.new('RGB', img.size, 'white'); bg.paste(img, mask=img.split()[-1]); img = bg
    img = img.convert('RGB')
    if img.width > width: img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
    buf = io.BytesIO(); img.save(buf, 'JPEG', quality=quality, optimize=True)
    return base64.b64encode(buf.getvalue()).decode() + '\n'


def _text(v) -> str:
    return ''.join(v) if isinstance(v, list) else v


def shrink_output(out: dict, width: int, quality: int, max_kb: int) -> bool:
    "Shrink one output's pictures in place; True if it changed."
    data = out.get('data')
    if not data or not ('image/png' in data or 'image/jpeg' in data): return False
    png, jpg = data.get('image/png'), data.get('image/jpeg')
    if png is not None:
        if jpg is None: data['image/jpeg'] = jpeg_b64(Image.open(io.BytesIO(base64.b64decode(_text(png)))), width, quality)
        del data['image/png']
        meta = out.get('metadata', {})
        if 'image/png' in meta: meta['image/jpeg'] = meta.pop('image/png')
        return True
    raw = base64.b64decode(_text(jpg)); img = Image.open(io.BytesIO(raw))
    if img.width > width or len(raw) > max_kb * 1024:
        new = jpeg_b64(img, width, quality)
        if img.width > width or len(new) * 3 / 4 < 0.8 * len(raw):   # a picture already shrunk is left alone
            data['image/jpeg'] = new; return True
    return False


def shrink(path: Path, width: int = 900, quality: int = 72, max_kb: int = 40) -> int:
    "Shrink the pictures of notebook `path` in place; the number of outputs changed."
    nb = json.loads(path.read_text(encoding='utf-8')); n = 0
    for c in nb['cells']:
        for o in c.get('outputs', []): n += shrink_output(o, width, quality, max_kb)
    if n: path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    return n


def fit(path: Path, limit_kb: int = NB_LIMIT_KB - 8) -> int:
    "Re-encode the notebook's JPEGs from their current pixels, smaller and at lower quality, until it is under `limit_kb`."
    nb = json.loads(path.read_text(encoding='utf-8'))
    outs = [o for c in nb['cells'] for o in c.get('outputs', []) if 'image/jpeg' in o.get('data', {})]
    originals = [Image.open(io.BytesIO(base64.b64decode(_text(o['data']['image/jpeg'])))) for o in outs]
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        for q in (72, 62, 52):
            for o, im in zip(outs, originals): o['data']['image/jpeg'] = jpeg_b64(im, max(64, round(im.width * scale)), q)
            text = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
            if len(text.encode()) <= limit_kb * 1024: path.write_text(text, encoding='utf-8'); return len(text.encode()) // 1024
    path.write_text(text, encoding='utf-8'); return len(text.encode()) // 1024


def sizes(paths: list[Path]) -> dict[Path, int]:
    "Each notebook's size in KB."
    return {p: p.stat().st_size // 1024 for p in paths}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('notebooks', nargs='*', type=Path)
    p.add_argument('--width', type=int, default=900, help='widest picture kept, px (default 900)')
    p.add_argument('--quality', type=int, default=72, help='JPEG quality of re-encoded pictures (default 72)')
    p.add_argument('--max-kb', type=int, default=40, help='a JPEG larger than this is re-encoded (default 40)')
    p.add_argument('--check', action='store_true', help='change nothing; report sizes, exit 1 over the limits')
    a = p.parse_args()
    paths = a.notebooks or sorted((ROOT / 'nbs').glob('*.ipynb')) + sorted((ROOT / 'app').glob('*.ipynb'))
    if not a.check:
        for path in paths:
            if (n := shrink(path, a.width, a.quality, a.max_kb)): print(f'{path}: {n} picture(s) shrunk')
            if path.stat().st_size > NB_LIMIT_KB * 1024: print(f'{path}: re-encoded to {fit(path)} KB')
    kb = sizes(paths); over = {p: k for p, k in kb.items() if k > NB_LIMIT_KB}
    for path, k in over.items(): print(f'{path}: {k} KB, over {NB_LIMIT_KB} KB', file=sys.stderr)
    print(f'{len(paths)} notebooks, {sum(kb.values())} KB in all')
    if a.check and over: sys.exit(1)


if __name__ == '__main__':
    main()
