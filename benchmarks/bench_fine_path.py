#!/usr/bin/env python
"""A probe for the feed-forward issue's LBP figure: `course` with a path from the photo at full size into its last
convolution, trained on from `course`'s weights (the path starts at zero, so step 0 paints as `course` does).

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_fine_path.py fine8.keras [--channels 8] [--steps 1000]
    python benchmarks/bench_quality.py --pairs 8 --sizes 256 --setting course=model:course --setting fine8=model:fine8.keras --only new course fine8 --base new

The lean network works at a quarter and a half of the size and makes its full-size picture by a bilinear resize and
one 3×3 convolution, so nothing it paints changes from one pixel to the next on its own. The probe gives that last
convolution `--channels` more inputs: a 3×3 convolution of the photo at full size, style-normalised, ReLU. Trained as
`nst_nb_train images/style/*.jpg --init course --steps N` trains (the same loss, photos, crops and seed; the result
keeps `lean` in its info, since nst_nb has no such shape: the model file itself holds the graph). Compare it with a
network trained the same steps without the path (`nst_nb_train ... --init course --steps N -o ctl.keras`).
"""
from __future__ import annotations
import argparse
import numpy as np
from common import finish, lean_half, machine, print_header, probe_net, train_probe


def fine_net(channels: int):
    "A `transform_net` factory: the lean body, and `channels` full-size maps of the photo into its last convolution."
    import keras
    import nst_nb.network as N
    def build(styles, width, blocks, separable, shape):
        img, w, x0, x = lean_half(styles, width, blocks, separable)
        x = N.Bilinear2x()(x)
        f = keras.layers.Conv2D(channels, 3, name='fine_conv')(N.ReflectPad(1, name='fine_pad')(x0))
        f = keras.layers.ReLU(name='fine_relu')(N.StyleNorm(styles, name='fine_norm')([f, w]))
        x = keras.layers.Conv2D(3, 3)(N.ReflectPad(1)(keras.layers.Concatenate(name='fine_cat')([x, f])))
        return probe_net(img, w, x, f'nst_fine_{styles}x{width}')
    return build


def copy_from(net, base):
    "`net` given `base`'s weights, layer by layer past the `fine_` ones; the last convolution's new inputs start at zero."
    a = [l for l in net.layers if l.weights and not l.name.startswith('fine_')]
    b = [l for l in base.layers if l.weights]
    for la, lb in zip(a, b, strict=True):
        ws = lb.get_weights()
        if la is a[-1]:
            k = np.zeros(la.get_weights()[0].shape, 'float32'); k[:, :, :ws[0].shape[2]] = ws[0]; ws = [k, ws[1]]
        la.set_weights(ws)
    return net


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out'); p.add_argument('--channels', type=int, default=8); p.add_argument('--steps', type=int, default=1000)
    a = p.parse_args(argv)
    from nst_nb.backbones import default_backbone
    from nst_nb.train_settings import training_settings
    head = machine(default_backbone(training_settings().backbone), 'auto', channels=a.channels, steps=a.steps); print_header(head)
    train_probe(fine_net(a.channels), copy_from, a.out, a.steps)
    finish(head)


if __name__ == '__main__': main()
