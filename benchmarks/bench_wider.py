#!/usr/bin/env python
"""A probe for the feed-forward issue's plain-LBP figure: the `subpixel` network with more maps at half size, where
its last stage paints single pixels from, started as the network it trains on and trained on with its loss.

    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_wider.py --check                      # how far the probe starts from --init
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_wider.py wide.keras [--steps 1000] [--half 32] [--extra 1]   # and wide3.keras --lr 0.002
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_wider.py same3.keras --half 16 --extra 0 --lr 0.002   # the control: the same run, the shape unchanged
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_wider.py --used wide.keras wide3.keras   # how much the new maps are used: their weights into the last stage
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py wide.keras --paint wide      # bench_quality.py's pairs, into /tmp/nst_quality (and wide3, same3)
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_subpixel.py --measure new cw12 optnet wide wide3 same3 --json FILE
    NST_NB_BACKBONE=vgg16-hed python benchmarks/bench_blurred_content.py --losses new optnet cw12 wide3 same3   # each style layer's loss

Why: the optimisation run with the networks' own loss (`bench_quality.py --setting 'optnet=content_weight:0.1;
content_layers:["block2_conv2","block4_conv2"]'`) paints the grain and keeps the photo (plain LBP 0.87× the default
optimisation's, SSIM 1.17×), and by that loss its pictures cost 11.1 where 0.31.0's `course` costs 16.4: the loss's
best picture the optimisation finds has both; the network does not reach it. The gap is mostly in the style term (459 against 157), and in it at the
shallow layers (`block2_conv1` 203 against 12, `block1_conv1` 6.1 against 0.5): the pixel-scale statistics. The
`subpixel` network paints every pixel as a linear function of 16 maps at half the size. Here those maps are `--half`
(the first 16 start as the network's, the rest are new and enter the last stage with weights of zero) and `--extra`
residual blocks at half size follow (their second normalisation's γ and β at zero, so each starts as nothing added):
the probe starts as the network it trains on (`--check`). Training: `nst_nb_train --init`'s loop, loss and photos,
the run that made 0.31.0's `course` (`--lr 0.0002 --content-weight 0.12`) once more.
"""
from __future__ import annotations
import argparse
import numpy as np
from common import finish, lean_half, machine, print_header, probe_net, start_gap, train_probe


def wider_net(half: int, extra: int):
    "A `transform_net` factory: the `subpixel` shape with `half` maps at half size and `extra` residual blocks there."
    import nst_nb.network as N
    def build(styles, width, blocks, separable, shape):
        img, w, _, x = lean_half(styles, width, blocks, separable, max(half, width))
        for _ in range(extra): x = N.residual_block(x, w, separable)
        return probe_net(img, w, N.SteadySubpixel(3)(N.ReflectPad(1)(x)), f'nst_wider_{styles}x{width}_{half}_{extra}')
    return build


def copy_from(net, base):
    "`net` given `base`'s (a `subpixel` network's) weights where it has them: the new maps' way into the last stage at zero, each extra block adding nothing."
    from nst_nb.network import StyleNorm, SteadySubpixel
    a, b = [l for l in net.layers if l.weights], [l for l in base.layers if l.weights]
    trunk = len(b) - 1   # every weighted layer of `base` but its last stage has a twin in the same place
    for la, lb in zip(a[:trunk], b[:trunk], strict=True):
        ws, own = lb.get_weights(), la.get_weights()
        la.set_weights([np.concatenate([v, o[..., v.shape[-1]:]], -1) for v, o in zip(ws, own)])   # the new maps: their own start
    second = [l for l in a[trunk:-1] if isinstance(l, StyleNorm)][1::2]   # each extra block's second normalisation
    for la in second: la.set_weights([np.zeros_like(v) for v in la.get_weights()])
    (k, bias), last = b[-1].get_weights(), a[-1]
    if not isinstance(last, SteadySubpixel): raise SystemExit('--init must be a `subpixel` network')
    z = np.zeros_like(last.get_weights()[0]); z[:, :, :k.shape[2]] = k
    last.set_weights([z, bias])
    return net


def used(model: str) -> str:
    "How much a trained probe paints from its new maps: the mean |w| of its last stage's kernel rows for the first 16 maps and for the rest."
    from nst_nb.network import load_network
    k = [l for l in load_network(model)[0].layers if l.weights][-1].get_weights()[0]
    old, new = np.abs(k[:, :, :16]).mean(), np.abs(k[:, :, 16:]).mean()
    return f'{model}: the last stage\'s weights from the first 16 maps {old:.4f}, from the {k.shape[2] - 16} new ones {new:.4f} (1/{old / new:.0f})'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?'); p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--half', type=int, default=32, help='maps at half size (the network has 16)')
    p.add_argument('--extra', type=int, default=1, help='residual blocks at half size (the network has none)')
    p.add_argument('--init', default='course', help='the `subpixel` network to start from')
    p.add_argument('--lr', type=float, default=2e-4); p.add_argument('--content-weight', type=float, default=0.12)
    p.add_argument('--check', action='store_true', help='only print how far the probe starts from --init')
    p.add_argument('--used', nargs='+', metavar='MODEL', help="only print, for these probe files, the mean |w| of the last stage's weights from the first 16 maps and from the new ones")
    a = p.parse_args(argv)
    if a.used: return print('\n'.join(used(m) for m in a.used))
    from nst_nb.network import load_network
    from nst_nb.train_settings import training_settings
    if a.check:
        base, info = load_network(a.init); c = info['config']
        net = copy_from(wider_net(a.half, a.extra)(len(info['styles']), c['width'], c['blocks'], bool(c['separable']), 'subpixel'), base)
        print(f'weights: {net.count_params():,} against {base.count_params():,}; largest difference from --init: {start_gap(net, base).max():.6f} grey levels'); return
    if not a.out: p.error('give the model file to write, or --check')
    s = training_settings(content_weight=a.content_weight)
    head = machine(s.backbone, 'auto', steps=a.steps, half=a.half, extra=a.extra, init=a.init, lr=a.lr, content_weight=a.content_weight); print_header(head)
    train_probe(wider_net(a.half, a.extra), copy_from, a.out, a.steps, a.init, settings=s, lr=a.lr)
    finish(head)


if __name__ == '__main__': main()
