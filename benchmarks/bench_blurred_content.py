#!/usr/bin/env python
"""A probe for the feed-forward issue's plain-LBP figure: the networks' shallow content term read through a blur, so that
it holds the photo's light and dark but no longer the grain below a pixel's blur.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_blurred_content.py blurred.keras [--steps 1500] [--sigma 1] [--init benchmarks/probes/subpixel_steady_15000.keras]
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py blurred.keras --paint blurred    # bench_quality.py's pairs, into /tmp/nst_quality
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new course blurred --json FILE
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_blurred_content.py --losses new course blurred steady15k+grain:new --json FILE   # what each loss charges each setting's pictures

Why: a network is trained with the optimisation's loss but for its content term (`TRAIN_LOSS`, since 0.12.0): two
layers, `block2_conv2` and `block4_conv2`, averaged at weight 0.1, where the optimisation has `block4_conv2` alone at
0.3, so that a network keeps the photo's light and dark (`bench_capacity.py`). At `block2_conv2` VGG still sees single
pixels. By the networks' loss the optimisation's pictures of `bench_quality.py`'s pairs cost more than the 15,000-step
network's (19.3 against 16.8 on the mean, `--losses`), most of it at `block2_conv2`; by the optimisation's loss they cost
2.3 times less. `--losses A+grain:B` swaps A's grain (a picture less its blur by 1 px) for B's, to ask what the
grain alone costs. Here both pictures are blurred by a Gaussian of `--sigma` px before `block2_conv2` sees them (as
`bench_quality.py`'s `lbp_smooth` blurs by 1 px); `block4_conv2`, the style and TV terms are the loss's own; the network
(the `subpixel` shape) trains on from `--init` with it, the probe's only change. The blur lowers the term on every picture
(by about 1.6 times on the pairs' pictures, the optimisation's and the networks' alike), so a run at weight 1 also holds
the photo more loosely; `--shallow-weight W` makes the blurred term W times as heavy (1.6: about
as heavy as the unblurred term on those pictures).
"""
from __future__ import annotations
import argparse
from common import ROOT, finish, machine, print_header

SHALLOW = 'block2_conv2'   # the content layer read through the blur


def blur(x, sigma: float):
    "Pixels `(B, H, W, 3)` blurred by a Gaussian of `sigma` px (a separable kernel out to 3σ, reflected at the border)."
    import numpy as np, tensorflow as tf
    r = int(np.ceil(3 * sigma)); g = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2); g = (g / g.sum()).astype('float32')
    x = tf.pad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'REFLECT')
    k = lambda shape: tf.constant(np.tile(g.reshape(shape), (1, 1, 3, 1)))
    x = tf.nn.depthwise_conv2d(x, k((-1, 1, 1, 1)), [1, 1, 1, 1], 'VALID')
    return tf.nn.depthwise_conv2d(x, k((1, -1, 1, 1)), [1, 1, 1, 1], 'VALID')


def blurred_loss(sigma: float, weight: float = 1.0):
    "`nst_nb.training.PerceptualLoss` with its `SHALLOW` content term read from both pictures blurred by `sigma` px, and `weight` times as heavy."
    import tensorflow as tf
    import nst_nb.training as T
    from nst_nb.features import feature_extractor

    class BlurredShallow(T.PerceptualLoss):
        "The library's loss as it is, its extractor's `SHALLOW` maps taken from the blurred input (a blur commutes with the backbone's per-channel preprocessing), scaled by √`weight` (the content loss is quadratic)."
        def __init__(self, s, styles):
            super().__init__(s, styles)   # the style targets from the plain extractor (`SHALLOW` is no style layer)
            if SHALLOW not in s.content_layers or SHALLOW in s.style_layers: raise SystemExit(f'{SHALLOW} must be a content layer and no style layer: {s.content_layers}, {s.style_layers}')
            plain, shallow = self.extractor, feature_extractor([SHALLOW], self.net, s.weights, s.precision)
            self.extractor = lambda x: {**plain(x), SHALLOW: weight ** 0.5 * tf.cast(shallow(blur(x, sigma))[SHALLOW], tf.float32)}   # scaled in float32: no bfloat16 rounding
    return BlurredShallow




def picture(name: str, c: str, s: str, pictures: str):
    "A setting's picture of the pair `c` × `s` as float pixels; `A+grain:B` is A's with its grain (a picture less its blur by `LBP_SMOOTH` px) swapped for B's."
    import numpy as np
    from scipy.ndimage import gaussian_filter
    from bench_quality import LBP_SMOOTH, run_picture
    read = lambda n: run_picture(pictures, c, s, n).astype('float32')
    if '+grain:' not in name: return read(name)
    blur = lambda x: gaussian_filter(x, (LBP_SMOOTH, LBP_SMOOTH, 0))
    a, b = (read(n) for n in name.split('+grain:'))
    return np.clip(blur(a) + b - blur(b), 0, 255)


def losses(names: list, pictures: str, sigma: float) -> dict:
    "The networks' loss (`training_settings()`, its content layers each), the optimisation's (`Settings()`) and the networks' with `SHALLOW` blurred by `sigma`, of each setting's pictures of `bench_quality.py`'s pairs (`picture`): total, content, style, TV."
    import numpy as np, tensorflow as tf
    from bench_quality import PAIRS
    from nst_nb.images import load_image
    from nst_nb.losses import content_loss
    from nst_nb.settings import Settings, validate
    from nst_nb.train_settings import training_settings
    from nst_nb.training import PerceptualLoss
    styles = sorted({s for _, s in PAIRS}); px = [np.asarray(load_image(ROOT / 'images/style' / f'{s}.jpg', 256)) for s in styles]   # as training loads them
    net = PerceptualLoss(validate(training_settings()), px)
    kinds = {"the networks'": net, "the optimisation's": PerceptualLoss(validate(Settings()), px),
             f"the networks' with {SHALLOW} blurred by {sigma:g} px": blurred_loss(sigma)(validate(training_settings()), px)}
    from nst_nb.losses import style_layer_losses
    res = {k: {n: [] for n in names} for k in kinds}; layers = {n: [] for n in names}; style_layers = {n: [] for n in names}
    for c, s in PAIRS:
        photo = tf.constant(np.asarray(load_image(ROOT / 'images/content' / f'{c}.jpg', 256), 'float32')[None])
        for n in names:
            y = tf.constant(picture(n, c, s, pictures)[None])
            for k, L in kinds.items(): res[k][n].append(dict(zip(('total', 'content', 'style', 'tv'), (float(v) for v in L(photo, y, styles.index(s))))))
            fc, fo = net.extractor(net.net.to_input(photo)), net.extractor(net.net.to_input(y))
            layers[n].append({l: float(content_loss(fc[l], fo[l])) for l in net.s.content_layers})
            per = style_layer_losses(net.targets[styles.index(s)], {l: fo[l] for l in net.s.style_layers}, net.s.style_layers, net.statistic)
            style_layers[n].append({l: float(w * v) for l, w, v in zip(net.s.style_layers, net.layer_w.numpy(), per)})
    for k, r in res.items():
        print(f'\n{k} loss, means over the {len(PAIRS)} pairs (total, content, style, TV):')
        for n in names: print(f'  {n:24s}' + ''.join(f'{np.mean([x[f] for x in r[n]]):12.4g}' for f in ('total', 'content', 'style', 'tv')))
    print("\nthe networks' content layers, each (means over the pairs):")
    for n in names: print(f'  {n:24s}' + ''.join(f'  {l} {np.mean([x[l] for x in layers[n]]):8.4g}' for l in net.s.content_layers))
    print("\nthe style layers, each as weighted in the style term (means over the pairs):")
    for n in names: print(f'  {n:24s}' + ''.join(f'  {l} {np.mean([x[l] for x in style_layers[n]]):8.4g}' for l in net.s.style_layers))
    return {'pairs': [f'{c} x {s}' for c, s in PAIRS], 'losses': res, 'content_layers': layers, 'style_layers': style_layers}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?'); p.add_argument('--steps', type=int, default=1500); p.add_argument('--sigma', type=float, default=1.0)
    p.add_argument('--shallow-weight', type=float, default=1.0, help='the blurred SHALLOW term this many times as heavy (the blur lowers it about 1.6 times on the pairs\' pictures)')
    p.add_argument('--init', default=str(ROOT / 'benchmarks/probes/subpixel_steady_15000.keras'), help='the network to train on (its shape and styles)')
    p.add_argument('--losses', nargs='+', metavar='NAME', help="print what each loss charges these settings' pictures in --pictures (bench_quality.py's 8 pairs), and stop")
    p.add_argument('--pictures', default='/tmp/nst_quality'); p.add_argument('--json')
    a = p.parse_args(argv)
    if a.losses:
        head = machine('vgg16-hed', 'float32', sigma=a.sigma); print_header(head); r = losses(a.losses, a.pictures, a.sigma); finish(head)
        if a.json:
            from common import write_json
            write_json(a.json, r, head)
        return r
    import nst_nb.training as T
    from nst_nb.backbones import default_backbone
    from nst_nb.train_settings import TrainConfig, network_info, training_settings
    head = machine(default_backbone(training_settings().backbone), 'auto', steps=a.steps, sigma=a.sigma, shallow_weight=a.shallow_weight, init=a.init); print_header(head)
    T.PerceptualLoss = blurred_loss(a.sigma, a.shallow_weight)   # the probe's loss, in the training loop as it is
    styles = [ROOT / 'images/style' / f'{s}.jpg' for s in network_info(a.init)['styles']]
    T.train(styles, a.out, TrainConfig(steps=a.steps, every=250), init=a.init)
    finish(head)


if __name__ == '__main__': main()
