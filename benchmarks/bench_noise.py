#!/usr/bin/env python
"""A probe for the feed-forward issue's plain-LBP figure: the `subpixel` network given noise maps to paint grain from
(Ulyanov et al. 2016's texture networks take noise as input), started as the network it trains on and trained on with
its loss.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_noise.py noisy.keras --init benchmarks/probes/subpixel_steady_15000.keras [--steps 2000] [--maps 4]
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_noise.py noisy.keras --paint noisy     # bench_quality.py's pairs, into --pictures
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_noise.py noisy.keras --paint silent --silent --against noisy   # the same, the noise's weights at zero: how far apart
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new course noisy --json FILE   # every figure

Why: the style pictures' pixel-scale texture is noise-like. Their radius-1 LBP histograms have many isolated peaks and
non-uniform codes (the abstract: 11 % and 19 % of pixels), which the optimisation, moving each pixel on its own, paints
(10 %, 18 %) and a network, whose every pixel is a smooth function of maps at half and a quarter of the size, does not
(the 15,000-step `subpixel` network: 6 %, 14 %; `course`: 4 %, 9 %). A network can only paint noise it is given.

The network: the `subpixel` shape with `--maps` maps of Gaussian noise at half the size joined to the trunk's last block
before its convolution, so the style normalisation and the ReLU after it may shape and gate the noise by style and by
what the picture holds. The convolution's weights for the noise start at zero, so the probe starts as the network
it trains on, to the grey level (`--check`). In training the noise is drawn afresh at each step; in a picture
(`training=False`) it is drawn from one fixed seed, so a picture is reproducible but its grain is fixed to the frame (a moved
photo keeps its grain in place: `bench_subpixel.py --moved` measures what that costs).
"""
from __future__ import annotations
import argparse
import numpy as np
from common import ROOT, finish, machine, print_header, train_probe

PAINT_SEED = 1234   # the noise of every picture (not of training)


def noise_maps():
    "The Keras layer that joins `maps` maps of Gaussian noise to its input (registered, so a saved probe network loads)."
    import keras, tensorflow as tf
    @keras.saving.register_keras_serializable('nst_nb_probe')
    class NoiseMaps(keras.layers.Layer):
        "Its input with `maps` channels of N(0, 1) noise joined: drawn afresh in training, from `PAINT_SEED` otherwise."
        def __init__(self, maps: int = 4, **kw): super().__init__(**kw); self.maps = maps; self.draws = keras.random.SeedGenerator(0)
        def get_config(self): return {**super().get_config(), 'maps': self.maps}
        def call(self, x, training=False):
            s = tf.concat([tf.shape(x)[:3], [self.maps]], 0)
            n = keras.random.normal(s, seed=self.draws if training else PAINT_SEED)
            return tf.concat([x, tf.cast(n, x.dtype)], -1)
        def compute_output_shape(self, shape): return (*shape[:-1], shape[-1] + self.maps)
    return NoiseMaps


def noisy_net(maps: int):
    "A `transform_net` factory: the `subpixel` shape with `maps` noise maps joined before the trunk's last convolution."
    import keras
    import nst_nb.network as N
    Noise = noise_maps()
    def build(styles, width, blocks, separable, shape):
        img, w = keras.Input((None, None, 3), name='pixels'), keras.Input((styles,), name='style')
        x = keras.layers.Rescaling(1 / 127.5, -1)(img)
        x = N.conv_block(N.conv_block(x, w, width, stride=2), w, 2 * width, stride=2)
        for _ in range(blocks): x = N.residual_block(x, w, separable)
        x = N.conv_block(Noise(maps, name='noise')(keras.layers.UpSampling2D(2, interpolation='nearest')(x)), w, width)
        x = N.SteadySubpixel(3)(N.ReflectPad(1)(x))
        out = keras.layers.Rescaling(127.5, 127.5)(keras.layers.Activation('tanh')(x))
        return keras.Model([img, w], out, name=f'nst_noisy_{styles}x{width}')
    return build


def copy_from(net, base):
    "`net` given `base`'s (a `subpixel` network's) weights layer by layer; the noise's kernel rows at zero."
    a, b = [l for l in net.layers if l.weights], [l for l in base.layers if l.weights]
    for la, lb in zip(a, b, strict=True):
        ws = lb.get_weights()
        if type(la) is not type(lb): raise SystemExit(f'--init: {lb.name} ({type(lb).__name__}) is not a {type(la).__name__}: give a `subpixel` network')
        k = la.get_weights()[0]
        if k.shape != ws[0].shape:   # the convolution after the noise: its weights for the noise start at zero
            z = np.zeros_like(k); z[:, :, :ws[0].shape[2]] = ws[0]; ws = [z, *ws[1:]]
        la.set_weights(ws)
    return net


def paint(model: str, name: str, pictures: str, silent: bool = False, against: str | None = None):
    "The quality pairs painted by a probe network (`bench_subpixel.paint`, with this probe's layer registered); `silent`: with the noise's weights at zero (then how far from the setting `against`'s pictures)."
    import bench_subpixel
    noise_maps()
    if not silent: return bench_subpixel.paint(model, name, pictures)
    from pathlib import Path
    from nst_nb.network import load_network, save_network
    net, info = load_network(model); conv = noise_conv(net); k, *rest = conv.get_weights()
    k[:, :, -net.get_layer('noise').maps:] = 0; conv.set_weights([k, *rest])
    quiet = str(Path(pictures) / f'{name}.keras'); save_network(net, quiet, info)
    bench_subpixel.paint(quiet, name, pictures)
    if against: print(differences(name, against, pictures))


def differences(a: str, b: str, pictures: str) -> str:
    "How far two settings' pictures of the pairs are apart, in grey levels: the mean, the 99th percentile and the largest."
    from bench_quality import PAIRS, run_picture
    read = lambda n, c, s: run_picture(pictures, c, s, n).astype('float32')
    d = np.concatenate([np.abs(read(a, c, s) - read(b, c, s)).ravel() for c, s in PAIRS])
    return f'{a} against {b}: {d.mean():.2f} grey levels on average, 99 % within {np.percentile(d, 99):.1f}, the largest {d.max():.0f}'


def noise_conv(net):
    "The convolution the noise maps go into."
    i = [l.name for l in net.layers].index('noise')
    return next(l for l in net.layers[i + 1:] if l.weights)


def check(init: str, maps: int) -> float:
    "The largest difference, in grey levels, between the probe started from `init` and `init` on a random 64 px picture."
    from nst_nb.network import load_network
    base, info = load_network(init)
    c = info['config']; net = copy_from(noisy_net(maps)(len(info['styles']), c['width'], c['blocks'], bool(c['separable']), 'subpixel'), base)
    x = np.random.default_rng(0).uniform(0, 255, (1, 64, 64, 3)).astype('float32'); w = np.eye(len(info['styles']), dtype='float32')[:1]
    return float(np.abs(net([x, w]).numpy() - base([x, w]).numpy()).max())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out'); p.add_argument('--steps', type=int, default=2000); p.add_argument('--maps', type=int, default=4)
    p.add_argument('--init', default=str(ROOT / 'benchmarks/probes/subpixel_steady_15000.keras'), help='the `subpixel` network to start from, or a probe file of this script to train on')
    p.add_argument('--check', action='store_true', help='only print how far the probe starts from --init')
    p.add_argument('--paint', metavar='NAME', help="paint bench_quality.py's pairs with the network `out` as the setting NAME into --pictures, and stop")
    p.add_argument('--silent', action='store_true', help="with --paint: the noise's weights set to zero, to see what the noise paints")
    p.add_argument('--against', metavar='NAME', help="with --silent: print how far the pictures are from the setting NAME's (the network's own, noise on)")
    p.add_argument('--pictures', default='/tmp/nst_quality')
    a = p.parse_args(argv)
    if a.paint: return paint(a.out, a.paint, a.pictures, a.silent, a.against)
    if a.check: print('largest difference from --init (grey levels): %.6f' % check(a.init, a.maps)); return
    from nst_nb.backbones import default_backbone
    from nst_nb.train_settings import training_settings
    head = machine(default_backbone(training_settings().backbone), 'auto', steps=a.steps, maps=a.maps, init=a.init); print_header(head)
    noise_maps()   # a probe file given to --init loads
    train_probe(noisy_net(a.maps), copy_from, a.out, a.steps, a.init)
    finish(head)


if __name__ == '__main__': main()
