#!/usr/bin/env python
"""A probe for the feed-forward issue's LBP figure: `course` with its last stage (a bilinear resize to full size, then a
3×3 convolution) replaced by a sub-pixel convolution (Shi et al. 2016) that paints each of a 2×2 block's pixels on its own,
started as exactly the stage it replaces and trained on from `course`'s weights.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py sub.keras [--steps 1000] [--grid-weight 5] [--stability 1000] [--steady]   # train
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py sub.keras --paint sub      # paint bench_quality.py's pairs
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new course sub --json FILE [--crops FILE]
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --moved course=course steady=steady.keras [--json FILE]   # a photo moved by 1, 2, 4 px

Why: the lean network's full-size picture is a 3×3 convolution of a bilinear resize of half-size maps, and a bilinear
resize by two has no energy left at the full size's highest frequencies; so nothing the network paints changes from one
pixel to the next on its own, which is what plain LBP reads. A resize by two followed by a 3×3 convolution is, for each of
the four pixels of a 2×2 block, a 3×3 convolution of the half-size maps (`nst_nb.network.subpixel_kernel` works it out), so a convolution
to 4 × 3 channels at half size, put in place by depth-to-space, starts as the same network (to the border pixels) and
costs the same multiplications, with the freedom to paint single pixels.

`--measure NAME...` reads a `bench_quality.py` run's pictures (`--pictures`, 8 pairs at 256 px, with the probe's
painted beside them) and prints, for each setting, every figure of `bench_quality.py` (`figures`) and two that say
what a picture has at the scale of one pixel: `fine_energy`, the grey picture's spectral energy above 0.4 cycles/px as
a multiple of the style picture's (the geometric mean over the pairs; a bilinear resize by two leaves next to none
there), and `pattern`, how far the means of the four pixels of a 2×2 block differ over the whole picture (grey
levels; a picture with no grid reads about 0.1, a sub-pixel convolution that repeats one 2×2 pattern reads more).
`--grid-weight W` trains with W × `grid_penalty` added to the loss: the same spread, over 32 px windows.
`--steady` holds the four phases' kernels to the same sum over their taps and to one bias (chapter 22's `SteadySubpixel`,
the library's `subpixel` shape, as `nst_nb_train --init course --shape subpixel` trains it), so that a
flat input, or the mean over a window of any maps, gives the four pixels of a block the same value before the tanh: no
fixed pattern repeats.
"""
from __future__ import annotations
import argparse
import numpy as np
from common import ROOT, finish, lean_half, machine, print_header, probe_net, start_gap, train_probe

def depth_to_space():
    "The Keras layer that puts a sub-pixel convolution's channels in place (registered, so a saved probe network loads)."
    import keras, tensorflow as tf
    @keras.saving.register_keras_serializable('nst_nb_probe')
    class DepthToSpace2(keras.layers.Layer):
        "Depth-to-space by two: (H, W, 4·C) to (2H, 2W, C)."
        def call(self, x): return tf.nn.depth_to_space(x, 2)
    return DepthToSpace2


def paint(model: str, name: str, pictures: str):
    "The quality pairs painted by a probe network, saved as a `bench_quality.py` run saves them (`--pictures`)."
    from PIL import Image
    from bench_quality import PAIRS, picture_path
    from nst_nb.images import load_image
    from nst_nb.network import load_network, stylise
    depth_to_space(); net, info = load_network(model)
    for c, s in PAIRS:
        photo = np.asarray(load_image(str(ROOT / 'images/content' / f'{c}.jpg'), 256))
        Image.fromarray(stylise(net, photo, s)).save(picture_path(pictures, c, s, name))
    print(f'painted {len(PAIRS)} pairs as {name!r} in {pictures}')


def sub_net(steady: bool = False):
    "A `transform_net` factory: the lean body with a sub-pixel last stage (`steady`: chapter 22's `subpixel` shape, whose stage paints no pattern where its input is flat)."
    import keras
    import nst_nb.network as N
    if steady: return lambda styles, width, blocks, separable, shape: N.transform_net(styles, width, blocks, separable, 'subpixel')
    D2S = depth_to_space()

    def build(styles, width, blocks, separable, shape):
        img, w, _, x = lean_half(styles, width, blocks, separable)
        return probe_net(img, w, D2S(name='sub_d2s')(keras.layers.Conv2D(12, 3, name='sub_conv')(N.ReflectPad(1)(x))), f'nst_sub_{styles}x{width}')
    return build


def copy_from(net, base):
    "`net` given `base`'s weights layer by layer; its last stage the sub-pixel form of `base`'s (`course`'s), or a probe's own (`--init`)."
    from nst_nb.network import SteadySubpixel, start_weights, subpixel_kernel
    a, b = [l for l in net.layers if l.weights], [l for l in base.layers if l.weights]
    theirs, steady = b[-1], isinstance(a[-1], SteadySubpixel)
    lean = not isinstance(theirs, SteadySubpixel) and theirs.get_weights()[0].shape[-1] == 3   # a lean network's own last convolution
    if not lean and steady != isinstance(theirs, SteadySubpixel):
        raise SystemExit(f'--init: the network given has a {"steady" if isinstance(theirs, SteadySubpixel) else "free"} sub-pixel last stage; train it on with{"" if isinstance(theirs, SteadySubpixel) else "out"} --steady')
    for la, lb in zip(a, b, strict=True):
        ws = lb.get_weights()
        la.set_weights([subpixel_kernel(ws[0]), np.tile(ws[1], 4)] if la.name == 'sub_conv' and lean else start_weights(la, lb))
    return net


def grid_penalty(y, window: int = 16):
    "How much a picture `y` (B, H, W, 3; 0-255) repeats a 2×2 pattern: the variance over the four pixels of a 2×2 block of their means over `window`² blocks (32 px), in grey levels²."
    import tensorflow as tf
    g = tf.reduce_mean(y, -1, keepdims=True)
    ph = tf.concat([g[:, i::2, j::2] for i in (0, 1) for j in (0, 1)], -1)   # (B, H/2, W/2, 4)
    m = tf.nn.avg_pool2d(ph, window, window, 'VALID')
    return tf.reduce_mean(tf.math.reduce_variance(m, -1))


def with_grid_penalty(weight: float):
    "`nst_nb.training.train_step` with `weight` × `grid_penalty` of the network's pictures added to the loss it descends."
    import nst_nb.training as T
    plain = T.train_step
    def train_step(net, loss, opt, *args, **kw):
        def penalised(x, y, style):
            parts = loss(x, y, style); return (parts[0] + weight * grid_penalty(y), *parts[1:])
        return plain(net, penalised, opt, *args, **kw)
    return train_step


def fine_energy(g, lo: float = 0.4) -> float:
    "The spectral energy of the grey picture `g` (0-1) above `lo` cycles/px, per pixel."
    F = np.abs(np.fft.fft2(g - g.mean())) ** 2
    r = np.hypot(np.fft.fftfreq(g.shape[0])[:, None], np.fft.fftfreq(g.shape[1])[None])
    return float(F[r >= lo].sum() / g.size ** 2)


def pattern(g) -> float:
    "How far the means of the four pixels of a 2×2 block differ over the grey picture `g` (0-1): their spread in grey levels."
    g = g[:g.shape[0] // 2 * 2, :g.shape[1] // 2 * 2]
    return float(np.std([g[i::2, j::2].mean() for i in (0, 1) for j in (0, 1)]) * 255)


def measure(names: list, pictures: str) -> dict:
    "Every figure of `bench_quality.py`, `fine_energy` (against the style picture's) and `pattern` of each setting's pictures of the 8 pairs."
    from PIL import Image
    from skimage.color import rgb2gray
    from bench_quality import PAIRS, figures, run_picture
    from nst_nb.images import load_image
    rows = {n: [] for n in names + ['style picture']}
    for c, s in PAIRS:
        cp, sp = ROOT / 'images/content' / f'{c}.jpg', ROOT / 'images/style' / f'{s}.jpg'
        style = rgb2gray(np.asarray(load_image(sp, 256)))
        for n in names:
            im = Image.fromarray(run_picture(pictures, c, s, n)); g = rgb2gray(np.asarray(im))
            rows[n].append({'pair': f'{c} x {s}', **figures(im, str(cp), str(sp), 'vgg16-hed'),
                            'fine_energy': fine_energy(g) / fine_energy(style), 'pattern': pattern(g)})
        rows['style picture'].append({'pair': f'{c} x {s}', 'fine_energy': 1.0, 'pattern': pattern(style)})
    return rows


def summary(rows: dict) -> dict:
    "The means over the pairs (`fine_energy`: the geometric mean) of each setting's figures."
    geo = lambda v: float(np.exp(np.mean(np.log(v))))
    return {n: {k: (geo if k == 'fine_energy' else lambda v: float(np.mean(v)))([r[k] for r in rs]) for k in rs[0] if k != 'pair'} for n, rs in rows.items()}


LABELS = {'new': 'optimisation', 'course': 'course', 'sub': 'sub-pixel', 'subg': 'sub-pixel, grid penalty', 'subs': 'sub-pixel, stability', 'steady': 'sub-pixel, steady'}


def crops(out: str, names: list, pictures: str, box=(120, 168), zoom: int = 4):
    "48 px crops at `zoom` times the size (nearest neighbour, so single pixels show) of three pairs (`bench_lbp.grain_crops`): the style picture, then each setting."
    from bench_lbp import grain_crops
    from bench_quality import run_picture
    from nst_nb.images import load_image
    pics = [[np.asarray(load_image(ROOT / 'images/style' / f'{s}.jpg', 256))] + [run_picture(pictures, c, s, n) for n in names]
            for c, s in [('rocket', 'waves'), ('coffee', 'abstract'), ('astronaut', 'mosaic')]]
    grain_crops(out, pics, ['style picture'] + [LABELS.get(n, n) for n in names], pairs=(0, 1, 2), zoom=zoom, box=box)


def moved(models: dict, shifts=(1, 2, 4)) -> dict:
    "How far each network's picture of a photo moved by k px is from its picture of the photo, moved alike (grey levels; the mean over the quality pairs, 8 px borders left out)."
    from bench_quality import PAIRS
    from nst_nb.images import load_image
    from nst_nb.network import load_network, stylise
    depth_to_space(); res = {}
    for name, model in models.items():
        net, d = load_network(model)[0], {k: [] for k in shifts}
        for c, s in PAIRS:
            ph = np.asarray(load_image(str(ROOT / 'images/content' / f'{c}.jpg'), 256 + 2 * max(shifts)))[:256]
            grey = lambda im: stylise(net, np.ascontiguousarray(im), s).astype('float32').mean(-1)
            base = grey(ph[:, :256])
            for k in shifts: d[k].append(float(np.abs(base[8:-8, 8 + k:-8] - grey(ph[:, k:256 + k])[8:-8, 8:-8 - k]).mean()))
        res[name] = {k: float(np.mean(v)) for k, v in d.items()}
        print(f'{name:12}' + ''.join(f'  moved {k} px: {v:6.2f}' for k, v in res[name].items()))
    return res


def check(base, steady: bool = False):
    "How far the new network's first picture is from `base`'s, inside and at the border (grey levels)."
    d = start_gap(copy_from(sub_net(steady)(base.inputs[1].shape[-1], 16, 5, False, 'lean'), base), base)
    return float(d[:, 2:-2, 2:-2].max()), float(d.max())


def measured(a) -> dict:
    "`--measure`: the table, the header, the JSON file and the crops."
    from common import write_json
    head = machine('vgg16-hed', 'float32', pictures=a.pictures); print_header(head)
    rows = measure(a.measure, a.pictures); mean = summary(rows); base = mean[a.measure[0]]
    keys = [k for k in mean[a.measure[0]]]
    print(f"{'':14}" + ''.join(f'{k:>14}' for k in keys) + f"\n(means over the pairs; fine_energy against the style picture's; then as a multiple of {a.measure[0]}'s)")
    for n, m in mean.items(): print(f'{n:14}' + ''.join(f"{m[k]:8.4f} {m[k] / base[k]:5.2f}" if k in m else f"{'':>14}" for k in keys))
    finish(head)
    if a.crops: crops(a.crops, a.measure, a.pictures)
    if a.json: write_json(a.json, {'pairs': [r['pair'] for r in rows[a.measure[0]]], 'figures': rows, 'means': mean}, head)
    return mean


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?'); p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--check', action='store_true', help='only check that the sub-pixel network starts as course')
    p.add_argument('--init', default='course', help="the network to start from: course (its last stage made sub-pixel) or a probe's model file, to train it on")
    p.add_argument('--steady', action='store_true', help="a last stage whose four phases answer a flat input alike (kernels' sums over taps equal, one bias)")
    p.add_argument('--grid-weight', type=float, default=0.0, help='weight of `grid_penalty` in the loss (0: off)')
    p.add_argument('--stability', type=float, default=0.0, help="weight of the training's stability term (`nst_nb_train --stability`; 0: off)")
    p.add_argument('--paint', metavar='NAME', help="paint bench_quality.py's pairs with the network `out` as the setting NAME into --pictures, and stop")
    p.add_argument('--pictures', default='/tmp/nst_quality')
    p.add_argument('--measure', nargs='+', metavar='NAME', help="measure these settings' pictures in --pictures (the first is the base of the ratios), and stop")
    p.add_argument('--json'); p.add_argument('--crops', help='with --measure: write 48 px crops of three pairs at four times the size here (JPEG)')
    p.add_argument('--moved', nargs='+', metavar='NAME=MODEL', help="only print how far each network's picture of a moved photo is from its picture moved alike (1, 2 and 4 px; --json)")
    a = p.parse_args(argv)
    if a.moved:
        head = machine('vgg16-hed', 'float32'); print_header(head); r = moved(dict(m.split('=', 1) for m in a.moved)); finish(head)
        if a.json:
            from common import write_json
            write_json(a.json, {'moved': r}, head)
        return r
    if a.measure: return measured(a)
    if a.paint: return paint(a.out, a.paint, a.pictures)
    if a.check:
        from nst_nb.network import load_network
        print('largest difference from course, inside / anywhere (grey levels): %.4f / %.4f' % check(load_network('course')[0], a.steady)); return
    import nst_nb.training as T
    from nst_nb.backbones import default_backbone
    from nst_nb.train_settings import training_settings
    head = machine(default_backbone(training_settings().backbone), 'auto', steps=a.steps, grid_weight=a.grid_weight, stability=a.stability, steady=a.steady, init=a.init); print_header(head)
    if a.grid_weight: T.train_step = with_grid_penalty(a.grid_weight)
    depth_to_space()   # a free probe's network given to --init loads
    train_probe(sub_net(a.steady), copy_from, a.out, a.steps, a.init, stability=a.stability)
    finish(head)


if __name__ == '__main__': main()
