#!/usr/bin/env python
"""What holds the networks back from the optimisation's quality: width, the training photos, or the loss's balance?
A probe for the feed-forward issue's quality target. Each variant is trained alike (the four styles of `bench_quality`'s
first four pairs in one network, the same seed, crops, steps and loss except what the variant changes) and judged by
figures no training optimised (`bench_quality.figures`) on those four pairs and on a photo no variant trained on
(`skimage.data.camera()`, CC0) in each style; with `--optimisation`, the default optimisation on the same four pairs
in the same run, so each figure is also a ratio to it (the issue's target: style and colour within 20 %, SSIM and
edges no worse).

    python benchmarks/bench_capacity.py [--steps 800] [--optimisation] [--json benchmarks/capacity.json] [--grid images/gallery/capacity.jpg]

Variants: `w16` is the recipe 0.12.0's `course` was trained with (width 16, content weight 3, the four photos of
images/content); `w32` twice the width; `cw1` content weight 1 (nearer the optimisation's 0.3); `photos7` three more
photos, public domain or CC0 by scikit-image's docstrings (retina, clock, coins; the last two greyscale, as RGB);
`shallow` a content term at `block2_conv2` beside `block4_conv2` (the light and dark held, not only the objects), with
the content weight 3, 1 (`shallow_cw1`), 0.3 (`shallow_cw03`) or 0.1 (`shallow_cw01`), and twice the width (`w32shallow`).
"""
from __future__ import annotations
import argparse, os, sys, tempfile
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json
from bench_quality import BETTER, PAIRS, figures

SHALLOW = {'content_layers': ['block2_conv2', 'block4_conv2']}   # a content term that holds the light and dark too (0.12.0's default with weight 0.1)
RECIPE = {'content_weight': 3.0, 'loss': {'content_layers': ['block4_conv2']}}   # 0.12.0's `course`'s (the default before 0.12.0)
VARIANTS = {'w16': RECIPE, 'w32': {**RECIPE, 'width': 32}, 'cw1': {**RECIPE, 'content_weight': 1.0}, 'photos7': {**RECIPE, 'photos': ['retina', 'clock', 'coins']},
            'shallow': {'loss': SHALLOW, 'content_weight': 3.0}, 'w32shallow': {'width': 32, 'loss': SHALLOW, 'content_weight': 3.0},
            'shallow_cw1': {'loss': SHALLOW, 'content_weight': 1.0}, 'shallow_cw03': {'loss': SHALLOW, 'content_weight': 0.3},
            'shallow_cw01': {'loss': SHALLOW, 'content_weight': 0.1}}
KEYS = list(BETTER)


def extra_photo(name: str, d: Path) -> Path:
    "A scikit-image photo (public domain or CC0) as an RGB PNG, 512 px high, in `d`."
    import skimage.data
    from PIL import Image
    im = Image.fromarray(getattr(skimage.data, name)()).convert('RGB')
    p = d / f'{name}.png'; im.resize((round(im.width * 512 / im.height), 512)).save(p); return p


def cases(unseen: Path) -> list[tuple[str, str, Path, Path]]:
    "(label, style, photo, style picture) for the four pairs and the unseen photo in each of their styles."
    pic = lambda st: ROOT / 'images/style' / f'{st}.jpg'
    seen = [(f'{c} x {st}', st, ROOT / 'images/content' / f'{c}.jpg', pic(st)) for c, st in PAIRS[:4]]
    return seen + [(f'camera x {st} (unseen)', st, unseen, pic(st)) for _, st in PAIRS[:4]]


def train_variant(name: str, kw: dict, steps: int, d: Path, seed: int) -> tuple[Path, dict]:
    "Train one variant; its model file and the steps' own time."
    from nst_nb.training import train, default_photos
    from nst_nb.train_settings import TrainConfig, training_settings
    kw = dict(kw); extra = kw.pop('photos', []); cw = kw.pop('content_weight', None)
    photos = default_photos() + [extra_photo(n, d) for n in extra]
    s = training_settings(backbone='vgg16-hed', **({'content_weight': cw} if cw is not None else {}), **kw.pop('loss', {}))
    out, at = d / f'{name}.keras', {}
    h = train([ROOT / 'images/style' / f'{st}.jpg' for _, st in PAIRS[:4]], out, TrainConfig(steps=steps, every=steps, seed=seed, **kw), s,
              photos=photos, listeners=[lambda e: at.__setitem__(e.step, e.seconds)])
    wall = (at[steps] - at[1]) * steps / (steps - 1)
    return out, {'s_per_step': wall / steps, 'train_s': wall, 'photos': len(photos), 'content_weight': s.content_weight,
                 'last_loss': sum(r['total'] for r in h[-40:]) / len(h[-40:])}


def judge(paint, rows: list) -> dict:
    "Figures of `paint(photo, style)` on every case, and their means over the seen pairs and the unseen photo."
    import numpy as np
    out = {}
    for label, st, photo, pic in rows:
        img = paint(photo, st); out[label] = {'png': img, **figures(img, str(photo), str(pic), 'vgg16-hed')}
    mean = lambda sel: {k: float(np.mean([v[k] for lab, v in out.items() if sel(lab)])) for k in KEYS} if any(map(sel, out)) else {}
    return {'cases': out, 'seen': mean(lambda l: 'unseen' not in l), 'unseen': mean(lambda l: 'unseen' in l)}


def table(res: dict, base: str | None) -> list[str]:
    "One line per variant and set of photos, with ratios to `base`'s seen figures."
    lines = [f"{'':22} {'weights':>8} {'s/step':>6}  " + '  '.join(f'{k:>9}' for k in KEYS)]
    for name, r in res.items():
        for part in ('seen', 'unseen'):
            if part not in r or (part == 'unseen' and not r['unseen']): continue
            m = r[part]
            lines.append(f"{name + ' ' + part:22} {r.get('parameters', 0):>8,} {r.get('s_per_step', 0):6.2f}  " + '  '.join(f'{m[k]:9.4f}' for k in KEYS))
            if base and part == 'seen' and name != base:
                lines.append(f"{'  / ' + base:22} {'':8} {'':6}  " + '  '.join(f'{m[k] / res[base]["seen"][k]:9.2f}' for k in KEYS))
    return lines


def grid_of(res: dict, labels: list, path: str, caption: str, cell: int = 170):
    "A JPEG grid: a row per variant, a column per case."
    from PIL import Image, ImageDraw
    g = Image.new('RGB', (cell * len(labels) + 70, cell * len(res) + 30), 'white'); dr = ImageDraw.Draw(g)
    for j, lab in enumerate(labels): dr.text((70 + j * cell + 2, 2), lab.replace(' (unseen)', '*')[:28], fill='black')
    for i, (name, r) in enumerate(res.items()):
        dr.text((2, 14 + i * cell + cell // 2), name, fill='black')
        for j, lab in enumerate(labels):
            if lab not in r['cases']: continue
            im = r['cases'][lab]['png'].copy(); im.thumbnail((cell - 4, cell - 4)); g.paste(im, (70 + j * cell + 2, 14 + i * cell))
    dr.text((2, cell * len(res) + 16), caption + '; * a photo no network trained on', fill='black'); g.save(path, quality=70, optimize=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', type=int, default=800); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument('--optimisation', action='store_true', help="the default optimisation on the four pairs, for the ratios")
    p.add_argument('--json'); p.add_argument('--grid')
    a = p.parse_args(argv)
    import numpy as np
    from PIL import Image
    import skimage.data
    import nst_nb.hardware  # noqa: F401
    from nst_nb.images import load_image
    from nst_nb.network import load_network, stylise
    head = machine('vgg16-hed', 'auto'); print_header(head)
    d = Path(tempfile.mkdtemp(prefix='nst_capacity_'))
    unseen = d / 'camera.png'; Image.fromarray(skimage.data.camera()).convert('RGB').save(unseen)
    rows, res = cases(unseen), {}
    if a.optimisation:
        from nst_nb.transfer import transfer
        opt = lambda photo, st: transfer(str(photo), str(ROOT / 'images/style' / f'{st}.jpg'), backbone='vgg16-hed', size=256, progress=False).image
        res['optimisation'] = judge(opt, rows[:4])
        print(table({'optimisation': res['optimisation']}, None)[-1], flush=True)
    for name in a.variants:
        out, r = train_variant(name, VARIANTS[name], a.steps, d, a.seed)
        net, _ = load_network(out)
        r.update(judge(lambda photo, st: Image.fromarray(stylise(net, np.asarray(load_image(photo, 256)), st)), rows), parameters=net.count_params())
        res[name] = r
        print('\n'.join(table({name: r}, None)[1:]), f'(loss of the last 40 steps {r["last_loss"]:.4g})', flush=True)
    base = 'optimisation' if a.optimisation else None
    print('\n'.join(table(res, base))); finish(head)
    if a.grid:
        grid_of(res, [r[0] for r in rows[:4]] + [rows[5][0]], a.grid, f'networks: {a.steps} steps, four styles in one; backbone vgg16-hed')
    if a.json:
        strip = lambda r: {k: ({lab: {f: x for f, x in c.items() if f != 'png'} for lab, c in v.items()} if k == 'cases' else v) for k, v in r.items()}
        write_json(a.json, {'steps': a.steps, 'seed': a.seed, 'variants': {k: VARIANTS.get(k) for k in res}, 'results': {k: strip(v) for k, v in res.items()}}, head)


if __name__ == '__main__':
    sys.exit(main())
