"""Quality and time of style-transfer settings on several content x style pairs, judged by figures the run did not optimise.

    python benchmarks/bench_quality.py                          # today's default against the new default, 6 pairs, 256 and 512 px
    python benchmarks/bench_quality.py --pairs 2 --sizes 256    # a quicker look
    python benchmarks/bench_quality.py --setting s181='start_size:181;iterations:[40,30]' --setting w2=style_loss:w2
    python benchmarks/bench_quality.py --sizes 256 --setting net=model:course --only new net --base new   # a trained network beside the optimisation
    python benchmarks/bench_quality.py --sizes 256 --setting 'r10=start_from:course;start_size:null;iterations:[10]' --only new r10 --base new   # the network's picture refined

For every pair, size and setting it runs `nst_nb.transfer.transfer` in a fresh child process (so runs do not share
caches or memory), and measures on the result:
- `style_sw`: sliced Wasserstein distance between the result's and the style image's VGG features at layers the run
  does not optimise (block2_conv2, block3_conv3, block4_conv3), divided by the style features' spread; lower is better;
- `colour_sw`: sliced Wasserstein distance between the RGB pixel distributions of result and style (0-1 scale); lower is better;
- `gabor` and `lbp`: texture figures outside VGG altogether, which favour no statistic a run matches in VGG's features:
  the Wasserstein-1 distance between the distributions of Gabor filter responses (3 frequencies x 4 orientations) of
  result and style, each divided by the style's spread, averaged; and the chi-square distance between their histograms
  of local binary patterns (uniform LBP at radius 1 and 3); lower is better;
- `lbp_smooth`: the same LBP distance with both pictures first blurred by a Gaussian of σ = 1 px (`LBP_SMOOTH`). The plain
  `lbp` reads grain finer than a pixel's blur: the style picture blurred by σ = 0.7 px is further from itself than the
  median distance between two different styles (`bench_lbp.py`), so `lbp` is a sharpness figure as much as a texture one,
  and `lbp_smooth` the texture at the scale of a few pixels; lower is better;
- `ssim`: structural similarity of the result's and the content's grey levels; higher is better;
- `edge`: correlation of the Sobel edge magnitudes of result and content (both lightly smoothed); higher is better;
- `seconds`: wall time of the call, set-up included, and the CPU seconds of the child; `peak_mb`, the child's peak memory.
A setting `model:NAME` paints with a trained network (a model file, or a shipped network's name) instead of optimising:
the pair's style is the network's style of the same name, and `seconds` includes loading the network (`pass_s`: a
second pass alone). A setting `start_from:NAME` optimises from that network's picture of the pair (its `init`; the
network's time counted in `seconds`): the optimisation as a refinement of the network's picture. It prints one table per size, the mean of every figure per setting with a verdict (is the new setting at least as good on
every figure?), the CPU (model and its AVX-512/BF16 flags), the precision and the load average, and writes a picture grid
(`--grid`) a person can judge. `--json` keeps everything.
"""
from __future__ import annotations
import argparse, json, sys
from pathlib import Path
from nst_nb.settings import V0_1
from common import ROOT, finish, last_json, machine, peak_mb, print_header, run_measured, stopwatch, write_json

PAIRS = [('chelsea', 'brush_strokes'), ('astronaut', 'mosaic'), ('coffee', 'abstract'), ('rocket', 'waves'),
         ('chelsea', 'hubble_deep_field'), ('astronaut', 'brick'), ('coffee', 'gravel'), ('rocket', 'brush_strokes')]
SETTINGS = {  # name -> Settings fields; 'old' is the default of nst_nb 0.1.0 (`V0_1`: one scale, Gram, equal layer weights, content at block5_conv2)
    'old': {**V0_1, 'size_of': 'old'},
    'new': {},
}
EVAL_LAYERS = ['block2_conv2', 'block3_conv3', 'block4_conv3']


def sliced_w(a, b, n: int = 64, seed: int = 0) -> float:
    "Sliced Wasserstein-2 distance between two point clouds `(N, D)` and `(M, D)`, over `n` random directions."
    import numpy as np
    rng = np.random.default_rng(seed)
    p = rng.standard_normal((a.shape[1], n)); p /= np.linalg.norm(p, axis=0)
    q = np.linspace(0, 1, 256)
    return float(np.sqrt(np.mean((np.quantile(a @ p, q, axis=0) - np.quantile(b @ p, q, axis=0)) ** 2)))


def texture(r, s) -> dict:
    "Texture distances between two RGB pictures that use no network: Gabor responses, and local binary patterns as they are and smoothed."
    import numpy as np
    from scipy.stats import wasserstein_distance
    from skimage.color import rgb2gray
    from skimage.filters import gabor
    gr, gs = rgb2gray(r), rgb2gray(s)
    d = []
    for f in (0.1, 0.2, 0.35):
        for t in np.arange(4) * np.pi / 4:
            (ar, br), (as_, bs) = gabor(gr, f, theta=t), gabor(gs, f, theta=t)
            mr, ms = np.hypot(ar, br).ravel(), np.hypot(as_, bs).ravel()
            d.append(wasserstein_distance(mr, ms) / (ms.std() + 1e-8))
    return {'gabor': float(np.mean(d)), **lbp_figures(gr, gs)}


LBP_SMOOTH = 1.0   # px: `lbp_smooth` compares both pictures blurred by this much (`bench_lbp.py` measured why)


def lbp_figures(gr, gs) -> dict:
    "`lbp` and `lbp_smooth` between two grey pictures in 0-1: the LBP distance as they are, and both blurred by `LBP_SMOOTH` px."
    from scipy.ndimage import gaussian_filter
    return {'lbp': lbp_distance(gr, gs), 'lbp_smooth': lbp_distance(gaussian_filter(gr, LBP_SMOOTH), gaussian_filter(gs, LBP_SMOOTH))}


def chi_square(p, q) -> float:
    "The chi-square distance between two histograms (each summing to 1)."
    import numpy as np
    return 0.5 * float(np.sum((p - q) ** 2 / (p + q + 1e-12)))


def lbp_distance(gr, gs) -> float:
    "Chi-square distance between the uniform LBP histograms (radius 1 and 3, averaged) of two grey pictures in 0-1."
    import numpy as np
    from skimage.feature import local_binary_pattern
    chi = []
    for radius in (1, 3):
        n = 8 * radius
        hist = lambda g: np.bincount(local_binary_pattern((g * 255).astype(np.uint8), n, radius, 'uniform').astype(int).ravel(), minlength=n + 2) / g.size
        hr, hs = hist(gr), hist(gs)
        chi.append(chi_square(hr, hs))
    return float(np.mean(chi))


def picture_path(out: str | Path, content: str, style: str, setting: str, size: int = 256) -> Path:
    "Where a run with `--out OUT` saves a setting's picture of a pair (the probes read and write the same names)."
    return Path(out) / f'{content}__{style}__{setting}__{size}.png'


def run_picture(out: str | Path, content: str, style: str, setting: str, size: int = 256):
    "A setting's saved picture of a pair as uint8 RGB (`picture_path`)."
    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(picture_path(out, content, style, setting, size)).convert('RGB'))


def figures(result, content_path: str, style_path: str, backbone: str) -> dict:
    "The quality figures of a result against its content and style pictures."
    import numpy as np
    from PIL import Image
    from scipy import ndimage
    from skimage.metrics import structural_similarity
    from nst_nb.images import load_image
    from nst_nb.features import feature_extractor, preprocess
    r = np.asarray(result); h = r.shape[0]
    c = np.asarray(load_image(content_path, h).resize(r.shape[1::-1]))
    s = np.asarray(load_image(style_path, h))
    ex = feature_extractor(EVAL_LAYERS, backbone, precision='float32')
    fr, fs = ex(preprocess(r)), ex(preprocess(s))
    flat = lambda t: t.numpy().reshape(-1, t.shape[-1])
    style = np.mean([sliced_w(flat(fr[l]), flat(fs[l])) / (flat(fs[l]).std() + 1e-8) for l in EVAL_LAYERS])
    grey = lambda a: np.asarray(Image.fromarray(a).convert('L'), np.float64) / 255
    edges = lambda g: np.hypot(*(ndimage.sobel(ndimage.gaussian_filter(g, 1), k) for k in (0, 1))).ravel()
    return {'style_sw': float(style), 'colour_sw': sliced_w(r.reshape(-1, 3) / 255, s.reshape(-1, 3) / 255, 16),
            'ssim': float(structural_similarity(grey(r), grey(c), data_range=1.0)),
            'edge': float(np.corrcoef(edges(grey(r)), edges(grey(c)))[0, 1]), **texture(r, s)}


def network_child(spec: dict, model: str) -> tuple:
    "Paint one pair with a trained network (`model:NAME` in a setting): the picture and its timing (loading included, and the pass alone)."
    import time
    import numpy as np
    from PIL import Image
    from nst_nb.images import load_image
    from nst_nb.network import load_network, stylise
    with stopwatch() as t:
        net, info = load_network(model)
        photo = np.asarray(load_image(spec['content'], spec['size']))
        p0 = time.perf_counter(); img = Image.fromarray(stylise(net, photo, Path(spec['style']).stem)); first = time.perf_counter() - p0
    p0 = time.perf_counter(); stylise(net, photo, Path(spec['style']).stem); again = time.perf_counter() - p0
    return img, {'seconds': t.wall_s, 'cpu_s': t.cpu_s, 'steps': 0, 'loss': float('nan'), 'precision': 'float32', 'scales': None,
                 'first_pass_s': first, 'pass_s': again, 'network_backbone': info['backbone']}


def network_start(spec: dict, model: str) -> str:
    "The pair painted by a trained network (`start_from:NAME` in a setting), saved beside the result for the optimisation to start from."
    img, _ = network_child(spec, model)
    p = spec['png'].replace('.png', '__start.png'); img.save(p); return p


def child(spec: dict) -> dict:
    "Run one pair with one setting (in this process) and return its figures."
    from nst_nb.transfer import transfer
    fields = dict(spec['fields']); model = fields.pop('model', None); start = fields.pop('start_from', None)
    if model: image, out = network_child(spec, model)
    else:
        with stopwatch() as t:
            if start: fields['init'] = network_start(spec, start)
            r = transfer(spec['content'], spec['style'], backbone=spec['backbone'], size=spec['size'], progress=False, **fields)
        image, out = r.image, {'seconds': t.wall_s, 'cpu_s': t.cpu_s, 'steps': len(r.history),
                               'loss': r.best_loss, 'precision': r.settings.precision, 'scales': r.timings.get('scales')}
    image.save(spec['png'])
    out.update(figures(image, spec['content'], spec['style'], spec['backbone']))
    out['peak_mb'] = peak_mb()
    return out


def parse_setting(text: str) -> tuple[str, dict]:
    "NAME=field:value;field:value (values as JSON, else text) as (name, fields)."
    name, _, rest = text.partition('=')
    fields = {}
    for part in filter(None, rest.split(';')):
        k, _, v = part.partition(':')
        try: fields[k] = json.loads(v)
        except json.JSONDecodeError: fields[k] = v
    return name, fields


def old_size(spec: list[str] | None, size: int) -> int:
    "The height the 'old' setting runs at beside `size`: `--old-size 400` (every size) or `--old-size 512=400` (that size only)."
    for item in spec or []:
        at, _, to = item.rpartition('=')
        if not at or int(at) == size: return int(to)
    return size


def run_all(a) -> dict:
    "Every pair x size x setting, each in a child process."
    settings = dict(SETTINGS)
    for s in a.setting or []: n, f = parse_setting(s); settings[n] = f
    if a.only: settings = {k: v for k, v in settings.items() if k in a.only}
    out_dir = Path(a.out); out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in a.sizes:
        for c, st in PAIRS[:a.pairs]:
            for name, fields in settings.items():
                fields = dict(fields); fixed = fields.pop('size_of', None)
                run_size = old_size(a.old_size, size) if fixed == 'old' else size
                spec = {'content': str(ROOT / 'images/content' / f'{c}.jpg'), 'style': str(ROOT / 'images/style' / f'{st}.jpg'),
                        'backbone': a.backbone, 'size': run_size, 'fields': fields,
                        'png': str(picture_path(out_dir, c, st, name, size))}
                p = run_measured([sys.executable, __file__, '--child', json.dumps(spec)], check=False)
                if p['returncode']: print(p['stderr'][-2000:], file=sys.stderr); raise SystemExit(f'child failed: {name} {c} {st} {size}')
                row = dict(last_json(p['stdout']), pair=f'{c} x {st}', setting=name, size=size,
                           run_size=run_size, png=spec['png'])
                rows.append(row)
                print(f"  {size:4d} {row['pair']:28s} {name:8s} {row['seconds']:7.1f} s  style {row['style_sw']:.3f}  colour "
                      f"{row['colour_sw']:.3f}  gabor {row['gabor']:.3f}  lbp {row['lbp']:.4f} ({row['lbp_smooth']:.4f} smoothed)  ssim {row['ssim']:.3f}  edge {row['edge']:.3f}  "
                      f"loss {row['loss']:.4g}", flush=True)
    return {'rows': rows, 'settings': settings}


BETTER = {'style_sw': -1, 'colour_sw': -1, 'gabor': -1, 'lbp': -1, 'lbp_smooth': -1, 'ssim': 1, 'edge': 1}


def summary(res: dict, base: str = 'old') -> list[str]:
    "One line per size and setting: mean figures, time ratio to `base`, and the verdict."
    import numpy as np
    lines = []
    for size in sorted({r['size'] for r in res['rows']}):
        rows = [r for r in res['rows'] if r['size'] == size]
        mean = {n: {k: float(np.mean([r[k] for r in rows if r['setting'] == n])) for k in list(BETTER) + ['seconds', 'cpu_s']}
                for n in dict.fromkeys(r['setting'] for r in rows)}
        lines.append(f'size {size}:  setting   seconds  CPU s   style_sw colour_sw gabor   lbp     lbp_sm  ssim   edge    time vs {base}  as good on every figure?')
        for n, m in mean.items():
            ratio = m['seconds'] / mean[base]['seconds'] if base in mean else float('nan')
            ok = all(BETTER[k] * (m[k] - mean[base][k]) >= -1e-9 for k in BETTER) if base in mean else None
            lines.append(f"          {n:8s} {m['seconds']:8.1f} {m['cpu_s']:7.1f}   {m['style_sw']:.3f}    {m['colour_sw']:.3f}    {m['gabor']:.3f}   "
                         f"{m['lbp']:.4f}  {m['lbp_smooth']:.4f}  {m['ssim']:.3f}  {m['edge']:.3f}   {ratio:5.2f}        {'-' if n == base else ('yes' if ok else 'no')}")
    return lines


def grid(res: dict, path: Path, cell: int = 200, caption: str = ''):
    "A JPEG grid: one row per pair (named at its left), one column per size and setting (named on top), `caption` (the backbone) below."
    from PIL import Image, ImageDraw
    cols = list(dict.fromkeys((r['size'], r['setting']) for r in res['rows']))
    pairs = list(dict.fromkeys(r['pair'] for r in res['rows']))
    find = lambda pair, col: next((r for r in res['rows'] if (r['pair'], r['size'], r['setting']) == (pair, *col)), None)
    rows = [[find(p, c) for c in cols] for p in pairs]
    thumbs = [[Image.open(r['png']).convert('RGB') if r else None for r in row] for row in rows]
    for row in thumbs:
        for im in filter(None, row): im.thumbnail((cell - 4, cell - 4))
    heights = [max(im.height for im in filter(None, row)) + 4 + 14 for row in thumbs]
    g = Image.new('RGB', (cell * len(cols), 16 + sum(heights) + 16), 'white'); d = ImageDraw.Draw(g)
    for j, col in enumerate(cols):
        r = next(r for r in res['rows'] if (r['size'], r['setting']) == col)
        d.text((j * cell + 4, 3), f"{col[1]} at {r.get('run_size', col[0])} px", fill='black')
    y = 16
    for pair, row, h in zip(pairs, thumbs, heights):
        d.text((4, y + 2), pair, fill='black')
        for j, im in enumerate(row):
            if im: g.paste(im, (j * cell + 2, y + 16))
        y += h
    d.text((4, y + 2), caption, fill='black')
    g.save(path, quality=80)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--child', help=argparse.SUPPRESS)
    p.add_argument('--pairs', type=int, default=6, help='how many of the content x style pairs (default 6, at most 8)')
    p.add_argument('--sizes', type=int, nargs='+', default=[256, 512], help='output heights (default 256 512)')
    p.add_argument('--old-size', nargs='+', default=None, metavar='[SIZE=]PX',
                   help="run the 'old' setting at PX instead: beside every size (400), or beside one (512=400)")
    p.add_argument('--setting', action='append', help='NAME=field:value;field:value... another setting to compare (repeatable)')
    p.add_argument('--only', nargs='+', help='run only these settings')
    p.add_argument('--base', default='old', help="the setting the others are compared with (default: old, 0.1.0's)")
    p.add_argument('--backbone', default='vgg16-hed')
    p.add_argument('--out', default='/tmp/nst_quality', help='where the pictures go')
    p.add_argument('--grid', help='write a JPEG grid of all results here')
    p.add_argument('--json', help='write every figure here')
    a = p.parse_args()
    if a.child: print(json.dumps(child(json.loads(a.child)))); return
    head = machine(a.backbone, cpu_as='dict')      # 'cpu': model, cores, the flags present and oneDNN's limit (chapter 17)
    print_header(head)
    res = run_all(a)
    lines = summary(res, a.base)
    print('\n'.join(lines)); finish(head)
    if a.grid:
        from nst_nb.features import backbone_label
        grid(res, Path(a.grid), caption=backbone_label(a.backbone)); print('grid:', a.grid)
    if a.json: write_json(a.json, {'summary': lines, **res}, head)


if __name__ == '__main__':
    main()
