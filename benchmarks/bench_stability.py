#!/usr/bin/env python
"""How far a network's painting of a slightly moved picture is from its painting, moved: the training's own stability
term (`nst_nb.training.stability_loss`), measured on crops of the training photos at places drawn afresh (seed 5), each moved at random.

For each network and each of its styles, 8 crops of 128 px (seed 5) and one random move each (`random_moves`: a shift
of up to 3 px and a zoom of up to 3 %); the mean square difference inside a 16 px border, in units of the full range,
and its root in levels (0-255). Lower is steadier. It needs no video: `bench_blend.py` measures the flicker on clips.

    python benchmarks/bench_stability.py course course_fast my.keras [--json FILE]
"""
from __future__ import annotations
import argparse, os, sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import finish, machine, print_header, write_json


def stability(model: str, crops: int = 8, size: int = 128, seed: int = 5) -> list[float]:
    "The stability term of `model` in each of its styles."
    import numpy as np, tensorflow as tf
    from nst_nb.network import load_network
    from nst_nb.training import photo_pixels, random_crops, random_moves, stability_loss
    net, info = load_network(model); n, rng, px = len(info['styles']), np.random.default_rng(seed), photo_pixels(None)
    out = []
    for k in range(n):
        x, w = tf.constant(random_crops(px, size, crops, rng)), tf.constant(np.repeat(np.eye(n, dtype='float32')[k:k + 1], crops, 0))
        out.append(float(stability_loss(net, x, net([x, w], training=True), w, tf.constant(random_moves(crops, size, rng)), size // 8)))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('models', nargs='+', help='networks: files or shipped names'); p.add_argument('--json')
    a = p.parse_args(argv)
    head = machine(None, 'float32'); print_header(head)
    res = {}
    for m in a.models:
        v = stability(m); res[m] = {'per_style': v, 'mean': sum(v) / len(v)}
        print(f"{m}: {res[m]['mean']:.4f} (RMS {255 * res[m]['mean'] ** 0.5:.1f} levels); per style " + ' '.join(f'{x:.4f}' for x in v), flush=True)
    finish(head)
    if a.json: write_json(a.json, {'models': res}, head)


if __name__ == '__main__':
    sys.exit(main())
