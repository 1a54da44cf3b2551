#!/usr/bin/env python
"""Plain against MobileNet-style (depthwise-separable) residual blocks, on quality as well as speed: each shape is
trained the same way (one style, the same seed, crops, steps and loss) and judged by figures the training did not
optimise (`bench_quality`'s style_sw on other VGG layers, colour, Gabor, LBP, SSIM, edges), on the four training
photos and on one it never saw (`skimage.data.camera()`, CC0). Speed per picture is `bench_network.py`'s business;
here the time per training step is printed beside the figures.

    python benchmarks/bench_shape_quality.py [--style mosaic] [--steps 200] [--json benchmarks/shape_quality.json] [--grid images/gallery/shapes.jpg]
"""
from __future__ import annotations
import argparse, dataclasses, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json
from bench_quality import figures

SHAPES = {'lean w16 plain': dict(shape='lean', width=16, separable=0), 'lean w16 separable': dict(shape='lean', width=16, separable=1)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--style', default='mosaic'); p.add_argument('--steps', type=int, default=200)
    p.add_argument('--json'); p.add_argument('--grid')
    a = p.parse_args(argv)
    import numpy as np, skimage.data
    from PIL import Image
    import nst_nb.hardware  # noqa: F401
    from nst_nb.network import load_network, stylise
    from nst_nb.training import train, default_photos
    from nst_nb.train_settings import TrainConfig, training_settings
    head = machine('vgg16-hed', 'float32'); print_header(head)
    d = Path(tempfile.mkdtemp(prefix='nst_shapes_'))
    unseen = d / 'camera.png'; Image.fromarray(skimage.data.camera()).convert('RGB').resize((256, 256)).save(unseen)
    photos = [(p.stem, p) for p in default_photos()] + [('camera (unseen)', unseen)]
    style = ROOT / 'images/style' / f'{a.style}.jpg'
    res, pics = {}, {}
    from nst_nb.images import load_image
    for name, kw in SHAPES.items():
        at = {}
        h = train([style], d / f'{name.replace(" ", "_")}.keras', TrainConfig(steps=a.steps, every=a.steps, **kw), training_settings(backbone='vgg16-hed', content_weight=3.0, content_layers=['block4_conv2']),
                  listeners=[lambda e: at.__setitem__(e.step, e.seconds)])
        wall = (at[a.steps] - at[1]) * a.steps / (a.steps - 1)   # the steps' own time: set-up and the first trace left out
        net, _ = load_network(d / f'{name.replace(" ", "_")}.keras')
        rows = {}
        for pn, pp in photos:
            out = Image.fromarray(stylise(net, np.asarray(load_image(pp, 256))))
            out.save(d / f'{name}_{pn}.png'); pics[(name, pn)] = out
            rows[pn] = figures(out, str(pp), str(style), 'vgg16-hed')
        mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in next(iter(rows.values()))}
        res[name] = {'parameters': net.count_params(), 'train_s': wall, 's_per_step': wall / a.steps, 'photos': rows, 'mean': mean,
                     'last_loss': float(np.mean([r['total'] for r in h[-20:]]))}
        print(f"{name:20} {net.count_params():>8,} weights, {wall / a.steps:.2f} s a step; " +
              '  '.join(f'{k} {v:.3f}' for k, v in mean.items()) + f" (mean of {len(photos)} photos); loss of the last 20 steps {res[name]['last_loss']:.4g}", flush=True)
    if a.grid:
        names = [pn for pn, _ in photos]; cell = 180
        g = Image.new('RGB', (cell * len(names), cell * len(SHAPES) + 16), 'white')
        from PIL import ImageDraw; dr = ImageDraw.Draw(g)
        for i, sh in enumerate(SHAPES):
            for j, pn in enumerate(names):
                im = pics[(sh, pn)].copy(); im.thumbnail((cell - 4, cell - 18)); g.paste(im, (j * cell + 2, i * cell + 16))
            dr.text((4, i * cell + 2), f'{sh}: {a.steps} steps of {a.style}', fill='black')
        dr.text((4, cell * len(SHAPES) + 2), 'backbone vgg16-hed', fill='black'); g.save(a.grid, quality=80)
    finish(head)
    if a.json: write_json(a.json, {'style': a.style, 'steps': a.steps, 'shapes': res}, head)


if __name__ == '__main__':
    sys.exit(main())
