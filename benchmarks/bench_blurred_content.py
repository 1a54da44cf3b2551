#!/usr/bin/env python
"""A probe for the feed-forward issue's plain-LBP figure: the networks' shallow content term read through a blur, so that
it holds the photo's light and dark but no longer the grain below a pixel's blur.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_blurred_content.py blurred.keras [--steps 1500] [--sigma 1] [--init benchmarks/probes/subpixel_steady_15000.keras]
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py blurred.keras --paint blurred    # bench_quality.py's pairs, into /tmp/nst_quality
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new course blurred --json FILE
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_blurred_content.py --losses new course blurred --json FILE   # what each loss charges each setting's pictures

Why: a network is trained with the optimisation's loss and one change (`TRAIN_LOSS`, since 0.12.0): a second content
layer, `block2_conv2`, beside `block4_conv2`, so that a network keeps the photo's light and dark (`bench_capacity.py`).
At `block2_conv2` VGG still sees single pixels, so that term also charges for grain the photo has not: by the
networks' own loss the optimisation's pictures of `bench_quality.py`'s pairs cost more than the networks' (19.3 against
16.2 on the mean, the content part 1.6 times as much), and by the optimisation's loss they cost 2.6 times less. The grain
plain LBP reads is what the optimisation pays that term for. Here both pictures are blurred by a Gaussian of `--sigma`
px before `block2_conv2` sees them (as `bench_quality.py`'s `lbp_smooth` blurs by 1 px), and `block4_conv2`, the style
and TV terms are the loss's own; the network (the `subpixel` shape) trains on from `--init` with it, the probe's only change.
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


def blurred_loss(sigma: float):
    "`nst_nb.training.PerceptualLoss` with its `SHALLOW` content term read from both pictures blurred by `sigma` px."
    import tensorflow as tf
    import nst_nb.training as T
    from nst_nb.features import feature_extractor
    from nst_nb.losses import content_loss, style_layer_losses, tv_loss, total_loss

    class BlurredShallow(T.PerceptualLoss):
        def __init__(self, s, styles):
            super().__init__(s, styles)
            if SHALLOW not in s.content_layers: raise SystemExit(f'the loss has no {SHALLOW} content term to blur: {s.content_layers}')
            self.shallow = feature_extractor([SHALLOW], self.net, s.weights, s.precision)

        def __call__(self, content, out, style):
            s, x = self.s, self.net.to_input(out)
            fc, fo = self.extractor(self.net.to_input(content)), self.extractor(x)
            bc, bo = self.shallow(self.net.to_input(blur(content, sigma))), self.shallow(self.net.to_input(blur(out, sigma)))
            c = tf.add_n([content_loss(bc[l], bo[l]) if l == SHALLOW else content_loss(fc[l], fo[l]) for l in s.content_layers]) / len(s.content_layers)
            per_image = [tf.stack(style_layer_losses(self.targets[style], {l: fo[l][b:b + 1] for l in s.style_layers}, s.style_layers, self.statistic))
                         for b in range(out.shape[0])]
            st, tv = tf.reduce_sum(self.layer_w * tf.reduce_mean(tf.stack(per_image), 0)), tv_loss(x)
            return total_loss(c, st, tv, s.content_weight, s.style_weight, s.tv_weight), c, st, tv
    return BlurredShallow




def losses(names: list, pictures: str, sigma: float) -> dict:
    "The networks' loss (`training_settings()`), the optimisation's (`Settings()`) and the networks' with `SHALLOW` blurred by `sigma`, of each setting's pictures of `bench_quality.py`'s pairs: total, content, style, TV."
    import numpy as np, tensorflow as tf
    from PIL import Image
    from bench_quality import PAIRS
    from nst_nb.images import load_image
    from nst_nb.settings import Settings, validate
    from nst_nb.train_settings import training_settings
    from nst_nb.training import PerceptualLoss
    styles = sorted({s for _, s in PAIRS}); px = [np.asarray(load_image(ROOT / 'images/style' / f'{s}.jpg', 256)) for s in styles]   # as training loads them
    kinds = {"the networks'": PerceptualLoss(validate(training_settings()), px), "the optimisation's": PerceptualLoss(validate(Settings()), px),
             f"the networks' with {SHALLOW} blurred by {sigma:g} px": blurred_loss(sigma)(validate(training_settings()), px)}
    res = {k: {n: [] for n in names} for k in kinds}
    for c, s in PAIRS:
        photo = tf.constant(np.asarray(load_image(ROOT / 'images/content' / f'{c}.jpg', 256), 'float32')[None])
        for n in names:
            y = tf.constant(np.asarray(Image.open(f'{pictures}/{c}__{s}__{n}__256.png').convert('RGB'), 'float32')[None])
            for k, L in kinds.items(): res[k][n].append(dict(zip(('total', 'content', 'style', 'tv'), (float(v) for v in L(photo, y, styles.index(s))))))
    for k, r in res.items():
        print(f'\n{k} loss, means over the {len(PAIRS)} pairs (total, content, style, TV):')
        for n in names: print(f'  {n:12s}' + ''.join(f'{np.mean([x[f] for x in r[n]]):12.4g}' for f in ('total', 'content', 'style', 'tv')))
    return {'pairs': [f'{c} x {s}' for c, s in PAIRS], 'losses': res}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?'); p.add_argument('--steps', type=int, default=1500); p.add_argument('--sigma', type=float, default=1.0)
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
    head = machine(default_backbone(training_settings().backbone), 'auto', steps=a.steps, sigma=a.sigma, init=a.init); print_header(head)
    T.PerceptualLoss = blurred_loss(a.sigma)   # the probe's loss, in the training loop as it is
    styles = [ROOT / 'images/style' / f'{s}.jpg' for s in network_info(a.init)['styles']]
    T.train(styles, a.out, TrainConfig(steps=a.steps, every=250), init=a.init)
    finish(head)


if __name__ == '__main__': main()
