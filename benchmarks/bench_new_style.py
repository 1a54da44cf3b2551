#!/usr/bin/env python
"""How long a shipped network takes to learn a new style, on this CPU: only the new style's γ and β are trained
(`nst_nb.training.train(..., base=...)`, Dumoulin et al. 2017), every convolution kept.

The new style is scikit-image's immunohistochemistry picture (`skimage.data.immunohistochemistry()`, "no known
copyright restrictions"): purple and brown stained tissue, nothing like the course's styles. The training photos are
the clone's `images/content`; every `--every` steps the network paints a photo it never saw in training
(`skimage.data.camera()`, CC0) and the picture is judged by figures the training did not optimise (`bench_quality`'s
style_sw on other VGG layers, colour, SSIM, edges). Time spent painting the snapshots is not counted. It prints the
time per step, the time at each snapshot and the figures, and writes a strip of the snapshots (`--strip`) for a
person to judge when the picture became recognisable.

    python benchmarks/bench_new_style.py [--base course] [--precision float32] [--steps 400] [--snapshots 25 50 100 200 400] [--json benchmarks/new_style.json] [--strip FILE.jpg]
"""
from __future__ import annotations
import argparse, dataclasses, json, math, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json
from bench_quality import figures


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--base', default='course', help="the trained network to add the style to (default: the shipped course)")
    p.add_argument('--precision', default='float32', choices=['float32', 'bfloat16', 'auto'], help="the loss's backbone precision (default float32, a laptop's; bfloat16 where the CPU has AVX512-BF16 or AMX). Before 0.9.0 the script used the base network's own, 'auto'")
    p.add_argument('--steps', type=int, default=400)
    p.add_argument('--snapshots', type=int, nargs='+', default=[25, 50, 100, 200, 400], help='steps after which the held-out photo is painted')
    p.add_argument('--json', default=None); p.add_argument('--strip', default=None, help='a JPEG strip of the snapshots')
    a = p.parse_args(argv)
    import numpy as np, skimage.data
    from PIL import Image
    import nst_nb.hardware  # noqa: F401
    from nst_nb.network import load_network, stylise
    from nst_nb.training import train
    from nst_nb.train_settings import TrainConfig, network_info, network_settings
    s = dataclasses.replace(network_settings(network_info(a.base)), precision=a.precision)   # the base's loss, in the precision asked for
    head = machine(s.backbone, a.precision); print_header(head)
    d = Path(tempfile.mkdtemp(prefix='nst_new_style_'))
    style, photo = d / 'ihc.png', d / 'camera.png'
    Image.fromarray(skimage.data.immunohistochemistry()).save(style); Image.fromarray(skimage.data.camera()).convert('RGB').resize((384, 384)).save(photo)
    out, shots, paused, at = d / 'ihc.keras', {}, [0.0], {}
    base_net, info = load_network(a.base); k = len(info['styles'])
    def snapshot(e):
        at[e.step] = e.seconds - paused[0]             # since the run started: set-up (backbone, targets, first trace) included
        if e.step - 1 not in a.snapshots: return       # the model file of step e.step - 1 is written: paint with it
        t = time.perf_counter()
        net, _ = load_network(out); img = Image.fromarray(stylise(net, np.asarray(Image.open(photo)), k))
        img.save(d / f'snap_{e.step - 1}.png')
        shots[e.step - 1] = {'seconds': at[e.step - 1], **figures(img, str(photo), str(style), info['backbone'])}
        paused[0] += time.perf_counter() - t
        print(f"  after {e.step - 1:4d} steps, {shots[e.step - 1]['seconds'] / 60:5.1f} min: style_sw {shots[e.step - 1]['style_sw']:.3f}, "
              f"colour {shots[e.step - 1]['colour_sw']:.3f}, ssim {shots[e.step - 1]['ssim']:.3f}, edge {shots[e.step - 1]['edge']:.3f}", flush=True)
    cfg = TrainConfig(steps=a.steps + 1, every=math.gcd(*a.snapshots), seed=0)   # a checkpoint at every snapshot
    t0 = time.perf_counter()
    h = train([style], out, cfg, s, photos=None, listeners=[snapshot], base=a.base)
    wall = time.perf_counter() - t0 - paused[0]
    per_step = (at[len(h)] - at[1]) / (len(h) - 1)
    print(f'{len(h)} steps in {wall / 60:.1f} min, set-up and checkpoints included ({per_step:.2f} s a step after the first; '
          f'the first, with set-up: {at[1]:.0f} s; painting the snapshots not counted)', flush=True)
    start = {'seconds': 0.0, **figures(Image.fromarray(stylise(base_net, np.asarray(Image.open(photo)), 0)), str(photo), str(style), info['backbone'])}
    print(f"  the base network's first style on the same photo: style_sw {start['style_sw']:.3f}, colour {start['colour_sw']:.3f}", flush=True)
    if a.strip:
        pics = [Image.open(photo), Image.open(style).resize((384, 384))] + [Image.open(d / f'snap_{s}.png') for s in sorted(shots)]
        strip = Image.new('RGB', (200 * len(pics), 200), 'white')
        for i, im in enumerate(pics): strip.paste(im.resize((196, 196)), (i * 200 + 2, 2))
        strip.save(a.strip, quality=82)
    finish(head)
    if a.json: write_json(a.json, {'base': a.base, 'steps': len(h), 'wall_s': wall, 's_per_step': per_step, 'first_step_s': at[1], 'snapshots': shots,
                                   'base_style_0': start, 'history': h, 'config': dataclasses.asdict(cfg), 'precision': a.precision}, head)


if __name__ == '__main__':
    sys.exit(main())
