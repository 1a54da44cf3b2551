#!/usr/bin/env python
"""What the LBP figure of `bench_quality.py` reads: changes to a style picture that a viewer hardly sees, against the
distance between two different styles, for `lbp` (the pictures as they are) and `lbp_smooth` (both blurred by
σ = `LBP_SMOOTH` px first).

    python benchmarks/bench_lbp.py [--size 256] [--json FILE]
    python benchmarks/bench_lbp.py --crops images/gallery/lbp_crops.jpg --pictures /tmp/nst_quality   # after a bench_quality.py run of `new` and `course`

Every style picture of `images/style` at `--size` px (the long side, as `bench_quality.py` loads it) is changed a little:
blurred by a Gaussian of σ = 0.5, 0.7 and 1 px, given noise of 1 and 2 grey levels (σ, seeded), saved as a JPEG at
quality 90, moved by half a pixel (bilinear), and made at half size and resized back (bilinear, as the lean network's
last stage does). Each change's distance from the picture itself, averaged over the styles, is printed beside the
median and smallest distance between two different style pictures. A texture figure should call a picture with a
change nobody notices much nearer to itself than to another style; the ratio column says how many times nearer.
No network runs: about a minute. `--crops` puts 96 px crops of a `bench_quality.py` run's pictures (`--pictures`, its
`--out` folder; the settings `new` and `course`, 256 px) beside the style picture's, at twice the size, three pairs a row each.

    python benchmarks/bench_lbp.py --grain 0.25 0.5 1 --pictures /tmp/nst_quality --json benchmarks/lbp_grain.json   # after the same run, 8 pairs

`--grain F...` asks whether the network's plain-LBP gap is the style or any grain at all: each `course` picture of the
run gets noise (`grain`: random phases with the amplitude spectrum of the style picture's fine band, the picture less its
blur by σ = `LBP_SMOOTH` px, in grey) at F times the fine-band energy it lacks against the style picture, and every
figure of `bench_quality.py` (`figures`) is measured on `new`, `course` and each of these, as ratios of the means to
`new`'s; `--crops` then shows them (`--grain-crops FILE`).

    python benchmarks/bench_lbp.py --codes new course steady15k --pictures /tmp/nst_quality --json FILE   # after a run, 8 pairs

`--codes NAME...` says which local patterns a setting's pictures lack: for each pair, the share of pixels whose radius-1
code is a peak (all eight neighbours darker: code 0 of the `uniform` codes) and the share that is non-uniform (more
than two changes around the circle: the last code), in the style picture and in each setting's picture; and the
setting's plain-LBP distance (radius 1) with and without its flat pixels (a local standard deviation under
`FLAT_LEVELS` grey levels over 9 px), so that a gap made by flat areas shows as a distance that falls without them.
"""
from __future__ import annotations
import argparse, io, itertools
from common import ROOT, finish, machine, print_header, write_json
from bench_quality import LBP_SMOOTH, chi_square, lbp_figures, run_picture

CHANGES = ('blur 0.5 px', 'blur 0.7 px', 'blur 1 px', 'noise 1 level', 'noise 2 levels', 'JPEG 90', 'half-pixel move', 'half size and back')


def changed(a, name: str, rng):
    "The RGB picture `a` (uint8) with one of `CHANGES`."
    import numpy as np
    from PIL import Image
    from scipy import ndimage
    u8 = lambda x: np.clip(np.round(x), 0, 255).astype(np.uint8)
    kind, arg = name.split()[0], name.split()[1] if ' ' in name else ''
    if kind == 'blur': return u8(ndimage.gaussian_filter(a.astype(float), (float(arg), float(arg), 0)))
    if kind == 'noise': return u8(a + rng.normal(0, float(arg), a.shape))
    if kind == 'JPEG': b = io.BytesIO(); Image.fromarray(a).save(b, 'JPEG', quality=int(arg)); return np.asarray(Image.open(b))
    if kind == 'half-pixel': return u8(ndimage.shift(a.astype(float), (0.5, 0.5, 0), order=1, mode='reflect'))
    h, w = a.shape[:2]
    return np.asarray(Image.fromarray(a).resize((w // 2, h // 2), Image.BILINEAR).resize((w, h), Image.BILINEAR))


def distances(a, b) -> dict:
    "`lbp` and `lbp_smooth` between two RGB pictures, as `bench_quality.texture` has them."
    from skimage.color import rgb2gray
    return lbp_figures(rgb2gray(a), rgb2gray(b))


CROP_PAIRS = [('coffee', 'abstract'), ('rocket', 'waves'), ('astronaut', 'mosaic')]


def crops(out: str, pictures: str, zoom: int = 2, box: tuple = (100, 196)):
    "A grid of crops at `zoom` times the size: the style picture, the optimisation (`new`) and `course`, a pair a row."
    import numpy as np
    from PIL import Image, ImageDraw
    from nst_nb.images import load_image
    t, g, (a, b) = (box[1] - box[0]) * zoom, 4, box
    grid = Image.new('RGB', (3 * t + 2 * g, len(CROP_PAIRS) * (t + g) + 16), 'white'); d = ImageDraw.Draw(grid)
    for j, label in enumerate(['style picture', 'optimisation', 'network course']): d.text((j * (t + g) + 4, 4), label, fill='black')
    for i, (c, s) in enumerate(CROP_PAIRS):
        ims = [np.asarray(load_image(ROOT / 'images/style' / f'{s}.jpg', 256))] + [run_picture(pictures, c, s, n) for n in ('new', 'course')]
        for j, im in enumerate(ims): grid.paste(Image.fromarray(im[a:b, a:b]).resize((t, t), Image.NEAREST), (j * (t + g), 20 + i * (t + g)))
    grid.save(out, quality=90); print(f'crops: {out}')


def fine(g, sigma: float = LBP_SMOOTH):
    "The fine band of a grey picture: itself less its blur by `sigma` px."
    from scipy.ndimage import gaussian_filter
    return g - gaussian_filter(g, sigma)


def grain(a, style, frac: float, seed: int = 0):
    "The RGB picture `a` (uint8) with `style`'s grain: noise with the amplitude spectrum of `style`'s fine band (grey) and random phases, at `frac` of the fine-band energy `a` lacks against `style`."
    import numpy as np
    from skimage.color import rgb2gray
    f = fine(rgb2gray(style)); amp = np.abs(np.fft.fft2(f, s=a.shape[:2]))
    n = fine(np.real(np.fft.ifft2(amp * np.exp(2j * np.pi * np.random.default_rng(seed).random(a.shape[:2])))))
    lack = max(0.0, f.var() - fine(rgb2gray(a)).var())
    return np.clip(np.round(a + 255 * n[..., None] * np.sqrt(frac * lack) / (n.std() + 1e-12)), 0, 255).astype(np.uint8)


def grain_run(a):
    "Every figure of `bench_quality.py` on `new`, `course` and `course` with the style's grain (`--grain`), from a run's pictures."
    import numpy as np
    from PIL import Image
    from nst_nb.images import load_image
    from bench_quality import BETTER, PAIRS, figures
    head = machine('vgg16-hed', 'float32', sigma_px=LBP_SMOOTH, fractions=a.grain); print_header(head)
    names = ['new', 'course'] + [f'course+grain {f:g}' for f in a.grain]; rows = {n: [] for n in names}; pics = []
    for c, s in PAIRS:
        cp, sp = ROOT / 'images/content' / f'{c}.jpg', ROOT / 'images/style' / f'{s}.jpg'
        ims = {n: run_picture(a.pictures, c, s, n) for n in names[:2]}
        style = np.asarray(load_image(sp, ims['course'].shape[0]))
        ims.update({f'course+grain {f:g}': grain(ims['course'], style, f) for f in a.grain})
        for n, im in ims.items(): rows[n].append({'pair': f'{c} x {s}', **figures(Image.fromarray(im), str(cp), str(sp), 'vgg16-hed')})
        pics.append([style] + [ims[n] for n in names])
    mean = {n: {k: float(np.mean([r[k] for r in rows[n]])) for k in BETTER} for n in names}
    print(f"{'':22}" + ''.join(f'{k:>11}' for k in BETTER) + f"\n(means over {len(PAIRS)} pairs, and as a multiple of new's)")
    for n in names: print(f'{n:22}' + ''.join(f"{mean[n][k]:7.4f} {mean[n][k] / mean['new'][k]:4.2f}" for k in BETTER))
    finish(head)
    if a.grain_crops: grain_crops(a.grain_crops, pics, ['style picture', 'optimisation'] + names[1:])
    if a.json: write_json(a.json, {'pairs': [f'{c} x {s}' for c, s in PAIRS], 'figures': rows, 'means': mean}, head)
    return mean


def grain_crops(out: str, pics: list, labels: list, pairs=(2, 3, 0), zoom: int = 2, box: tuple = (100, 196)):
    "Crops at `zoom` times the size of three pairs' pictures (`grain_run`'s), a pair a row."
    from PIL import Image, ImageDraw
    t, g, (a, b) = (box[1] - box[0]) * zoom, 4, box
    grid = Image.new('RGB', (len(labels) * (t + g) - g, len(pairs) * (t + g) + 16), 'white'); d = ImageDraw.Draw(grid)
    for j, label in enumerate(labels): d.text((j * (t + g) + 4, 4), label, fill='black')
    for i, k in enumerate(pairs):
        for j, im in enumerate(pics[k]): grid.paste(Image.fromarray(im[a:b, a:b]).resize((t, t), Image.NEAREST), (j * (t + g), 20 + i * (t + g)))
    grid.save(out, quality=80); print(f'crops: {out}')


FLAT_LEVELS = 1.5   # grey levels: `--codes` calls a pixel flat whose 9 px neighbourhood varies less than this


def code_shares(g, mask=None) -> tuple:
    "The radius-1 `uniform` LBP histogram of a grey picture `g` in 0-1 (of the pixels in `mask`), its peaks' and non-uniform codes' shares."
    import numpy as np
    from skimage.feature import local_binary_pattern
    c = local_binary_pattern((g * 255).astype(np.uint8), 8, 1, 'uniform').astype(int)
    c = c[mask] if mask is not None else c.ravel()
    h = np.bincount(c, minlength=10) / c.size
    return h, float(h[0]), float(h[9])


def flat(g):
    "Where a grey picture in 0-1 is flat: its standard deviation over 9 px under `FLAT_LEVELS` grey levels."
    import numpy as np
    from scipy.ndimage import uniform_filter
    v = uniform_filter((g * 255) ** 2, 9) - uniform_filter(g * 255, 9) ** 2
    return np.sqrt(np.maximum(v, 0)) < FLAT_LEVELS


def codes_run(a):
    "`--codes`: each pair's peaks and non-uniform codes in the style picture and each setting's, and the distance without flat pixels."
    import numpy as np
    from skimage.color import rgb2gray
    from bench_quality import PAIRS
    from nst_nb.images import load_image
    head = machine(None, 'float32', size=256, flat_levels=FLAT_LEVELS); print_header(head)
    res = {'pairs': [f'{c} x {s}' for c, s in PAIRS], 'style': [], **{n: [] for n in a.codes}}
    print(f"{'pair':28s}" + ''.join(f'{n:>30s}' for n in ['style picture'] + a.codes) + '\n(peaks % / non-uniform %, then a setting\'s radius-1 distance / without its flat pixels, and its flat %)')
    for c, s in PAIRS:
        hs, pk, nu = code_shares(rgb2gray(np.asarray(load_image(ROOT / 'images/style' / f'{s}.jpg', 256))))
        res['style'].append({'peaks': pk, 'non_uniform': nu}); line = f'{c} x {s}'.ljust(28) + f'{pk * 100:17.1f} / {nu * 100:4.1f}' + ' ' * 6
        for n in a.codes:
            g = rgb2gray(run_picture(a.pictures, c, s, n)); f = flat(g)
            h, p_, u = code_shares(g); d, d_in = chi_square(h, hs), chi_square(code_shares(g, ~f)[0], hs)
            res[n].append({'peaks': p_, 'non_uniform': u, 'chi_r1': d, 'chi_r1_not_flat': d_in, 'flat': float(f.mean())})
            line += f'{p_ * 100:9.1f} / {u * 100:4.1f}  {d:.4f} / {d_in:.4f} {f.mean() * 100:3.0f}%'
        print(line)
    res['means'] = {n: {k: float(np.mean([r[k] for r in res[n]])) for k in res[n][0]} for n in ['style'] + a.codes}
    print('means: ' + '; '.join(f"{n} peaks {m['peaks'] * 100:.1f} %, non-uniform {m['non_uniform'] * 100:.1f} %" for n, m in res['means'].items()))
    finish(head)
    if a.json: write_json(a.json, res, head)
    return res


def main(argv=None):
    import numpy as np
    from nst_nb.images import load_image
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--size', type=int, default=256); p.add_argument('--json')
    p.add_argument('--crops', help='write a grid of crops to this file (JPEG) from --pictures, and stop')
    p.add_argument('--pictures', default='/tmp/nst_quality', help="a bench_quality.py run's --out folder")
    p.add_argument('--grain', nargs='+', type=float, help="measure `course`'s pictures with the style's grain added at these fractions of the fine-band energy they lack, and stop")
    p.add_argument('--grain-crops', help='with --grain: write a grid of crops to this file (JPEG): the style picture, the optimisation, course, course with each grain')
    p.add_argument('--codes', nargs='+', metavar='NAME', help="print which local patterns these settings' pictures in --pictures lack against the style pictures (8 pairs), and stop")
    a = p.parse_args(argv)
    if a.codes: return codes_run(a)
    if a.crops: return crops(a.crops, a.pictures)
    if a.grain: return grain_run(a)
    head = machine(None, 'float32', sigma_px=LBP_SMOOTH, size=a.size); print_header(head)
    styles = {f.stem: np.asarray(load_image(f, a.size)) for f in sorted((ROOT / 'images/style').glob('*.jpg'))}
    rng = np.random.default_rng(0)
    own = {c: {s: distances(changed(x, c, rng), x) for s, x in styles.items()} for c in CHANGES}
    other = {f'{s} / {t}': distances(styles[s], styles[t]) for s, t in itertools.combinations(styles, 2)}
    res = {'changes': own, 'other_styles': other, 'summary': {}}
    for k in ('lbp', 'lbp_smooth'):
        med = float(np.median([d[k] for d in other.values()]))
        res['summary'][k] = {'other_styles_median': med, 'other_styles_min': float(min(d[k] for d in other.values())),
                             **{c: float(np.mean([d[k] for d in own[c].values()])) for c in CHANGES}}
        print(f"\n{k}: two different styles, median {med:.4f} (smallest {res['summary'][k]['other_styles_min']:.4f}); each change, mean over {len(styles)} styles:")
        for c in CHANGES:
            v = res['summary'][k][c]; print(f"  {c:20s} {v:.4f}   {med / v:7.1f}× nearer than another style")
    finish(head)
    if a.json: write_json(a.json, res, head)
    return res


if __name__ == '__main__': main()
