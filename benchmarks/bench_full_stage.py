#!/usr/bin/env python
"""A probe for the feed-forward issue's LBP figure: `course` with a small full-size stage added beside its last
convolution, a nearest-neighbour resize of the half-size maps, a 3×3 convolution to `--channels` maps and ReLU at full
size, then a 3×3 convolution to pixels added to `course`'s picture before the tanh. The added convolution starts at zero,
so step 0 paints as `course` does; trained on from `course`'s weights with its loss, as the other probes were.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_full_stage.py full8.keras [--channels 8] [--steps 1000]
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py full8.keras --paint full8
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_full_stage.py --sharpen 1 2 4           # course's pictures sharpened: sh1, sh2, sh4
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new course full8 sh1 sh2 sh4 --json FILE

Why this stage, after the sub-pixel probe (`bench_subpixel.py`): a sub-pixel convolution gives each pixel of a 2×2 block
its own kernel, so it can paint a pattern where the maps are flat, and trained 1,000 steps it painted one (a grid). A
resize by nearest neighbour followed by a convolution (Odena et al. 2016's resize-convolution) gives every pixel the same
kernel: where the half-size maps are flat, its four pixels are equal, and single pixels differ only where the maps
change, at the strokes. The ReLU at full size lets that stage sharpen or break up what it is given, which a linear stage
after a bilinear resize cannot.

`--sharpen A...` asks the cheaper question beside it: `course`'s own pictures (in `--pictures`, from a `bench_quality.py`
run) with their fine band raised by an unsharp mask, `x + A·(x − blur(x))` with a Gaussian of σ = 0.7 px, saved as the
setting `shA`. It adds no training and no grain the picture has not got, only more of what is there.
"""
from __future__ import annotations
import argparse
import numpy as np
from common import finish, lean_half, machine, print_header, probe_net, start_gap, train_probe


def full_net(channels: int):
    "A `transform_net` factory: the lean body, and a full-size stage of `channels` maps added to its last convolution's picture."
    import keras
    import nst_nb.network as N
    def build(styles, width, blocks, separable, shape):
        img, w, _, u = lean_half(styles, width, blocks, separable)
        base = keras.layers.Conv2D(3, 3)(N.ReflectPad(1)(N.Bilinear2x()(u)))
        h = keras.layers.UpSampling2D(2, interpolation='nearest', name='full_up')(u)
        h = keras.layers.ReLU(name='full_relu')(keras.layers.Conv2D(channels, 3, name='full_conv')(N.ReflectPad(1, name='full_pad')(h)))
        d = keras.layers.Conv2D(3, 3, name='full_out')(N.ReflectPad(1, name='full_pad2')(h))
        return probe_net(img, w, keras.layers.Add(name='full_add')([base, d]), f'nst_full_{styles}x{width}')
    return build


def copy_from(net, base):
    "`net` given `base`'s weights layer by layer past the `full_` ones; the full-size stage's last convolution starts at zero."
    a = [l for l in net.layers if l.weights and not l.name.startswith('full_')]
    for la, lb in zip(a, [l for l in base.layers if l.weights], strict=True): la.set_weights(lb.get_weights())
    out = net.get_layer('full_out'); out.set_weights([np.zeros_like(v) for v in out.get_weights()])
    return net


def check(base, channels: int = 8) -> float:
    "The largest difference (grey levels) between the new network's first picture and `base`'s."
    return float(start_gap(copy_from(full_net(channels)(base.inputs[1].shape[-1], 16, 5, False, 'lean'), base), base).max())


def sharpened(amounts: list, pictures: str, sigma: float = 0.7):
    "`course`'s pictures of the quality pairs in `pictures` sharpened by each amount A (unsharp mask, σ px), saved as the setting `shA`."
    from PIL import Image
    from scipy.ndimage import gaussian_filter
    from bench_quality import PAIRS, picture_path, run_picture
    for a in amounts:
        for c, s in PAIRS:
            x = run_picture(pictures, c, s, 'course').astype('float32')
            y = x + a * (x - gaussian_filter(x, (sigma, sigma, 0), mode='mirror'))
            Image.fromarray(np.clip(y, 0, 255).round().astype('uint8')).save(picture_path(pictures, c, s, f'sh{a:g}'))
    print(f'sharpened {len(PAIRS)} pairs by {amounts} in {pictures}')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?'); p.add_argument('--channels', type=int, default=8); p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--check', action='store_true', help='only check that the new network starts as course')
    p.add_argument('--sharpen', type=float, nargs='+', metavar='A', help="only sharpen course's pictures in --pictures by these amounts")
    p.add_argument('--pictures', default='/tmp/nst_quality')
    a = p.parse_args(argv)
    if a.sharpen: return sharpened(a.sharpen, a.pictures)
    if a.check:
        from nst_nb.network import load_network
        print('largest difference from course (grey levels): %.6f' % check(load_network('course')[0], a.channels)); return
    from nst_nb.backbones import default_backbone
    from nst_nb.train_settings import training_settings
    head = machine(default_backbone(training_settings().backbone), 'auto', channels=a.channels, steps=a.steps); print_header(head)
    train_probe(full_net(a.channels), copy_from, a.out, a.steps)
    finish(head)


if __name__ == '__main__': main()
