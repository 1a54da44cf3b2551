#!/usr/bin/env python
"""Train the shipped network longer on a lent GPU: this machine's half (TensorFlow, nst_nb's own code).

The GPU machines have JAX and no TensorFlow, so the training there runs `gpu_mirror.py`, a JAX restatement of nst_nb's
lean network and training loss. This script makes what it needs and takes back what it made:

    python benchmarks/train_gpu.py prepare          # .gpu/course.npz: the shipped network's weights, vgg16-hed's, the pictures
    python benchmarks/train_gpu.py reference        # .gpu/reference.npz: one batch through nst_nb's own network, loss and gradients
    python benchmarks/gpu_mirror.py check .gpu/course.npz .gpu/reference.npz   # the mirror agrees? (JAX on a CPU: pip install jax optax)
    # on the GPU machine: gpu_mirror.py check ..., then gpu_mirror.py train .gpu/course.npz -o $OUT/run.npz --seconds 400 ...
    python benchmarks/train_gpu.py import RUN.npz -o nst_nb/networks/course.keras   # the weights back into a model file

`import` writes the model file with `nst_nb.network.save_network` and its sidecar as `nst_nb_train` writes them: the
settings and config it was trained with, the loss of every step (the CPU run's, then the GPU's), and where it ran.
"""
from __future__ import annotations
import argparse, json, sys
from pathlib import Path

import numpy as np

from common import ROOT

DATA = ROOT / '.gpu'
COURSE = ROOT / 'nst_nb' / 'networks' / 'course.keras'
def _needed(settings) -> list[str]:
    "The backbone's layers (convolutions and pooling) up to the deepest one the loss reads."
    from nst_nb.backbones import backbone
    return [l.name for l in backbone(settings.backbone).up_to([*settings.style_layers, *settings.content_layers])]


def prepare(a):
    "The shipped network's weights and info, the backbone's weights the loss needs, the style pictures and the photos."
    from nst_nb.network import load_network
    from nst_nb.train_settings import network_settings
    from nst_nb.features import load_backbone
    from nst_nb.backbones import backbone
    from nst_nb.settings import layer_weights, validate
    from nst_nb.images import load_image, open_image
    from nst_nb.training import default_photos
    net, info = load_network(a.model)
    s = validate(network_settings(info)); cfg = info['config']
    assert cfg['shape'] == 'lean' and not cfg['separable'], 'the mirror knows the lean shape with plain blocks only'
    bb = backbone(s.backbone)
    vgg = load_backbone(s.backbone)
    styles = [np.asarray(load_image(ROOT / 'images' / 'style' / f'{n}.jpg', cfg['style_size'])) for n in info['styles']]
    photos = [np.asarray(open_image(p)) for p in default_photos()]
    ws = net.get_weights()
    meta = {'styles': info['styles'], 'settings': json.loads(json.dumps(info['settings'])), 'layer_weights': layer_weights(s),
            'config': cfg, 'n_weights': len(ws), 'n_photos': len(photos), 'step': info['step'], 'backbone': s.backbone,
            'backbone_net': {'layers': _needed(s), 'mean': list(bb.mean), 'scale': bb.scale, 'bgr': bb.bgr}}
    arrays = {f'net_{i}': w for i, w in enumerate(ws)}
    for l in (l for l in _needed(s) if 'conv' in l):
        k, b = vgg.get_layer(l).get_weights(); arrays[f'bb_{l}_k'], arrays[f'bb_{l}_b'] = k, b
    arrays |= {f'style_{i}': p for i, p in enumerate(styles)} | {f'photo_{i}': p for i, p in enumerate(photos)}
    DATA.mkdir(exist_ok=True)
    np.savez(a.out, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    print(f'wrote {a.out}: {Path(a.out).stat().st_size / 2**20:.1f} MB, {len(ws)} network weights, {len(_needed(s))} backbone layers, '
          f'{len(styles)} styles, {len(photos)} photos, from step {info["step"]}')


def reference(a):
    "One batch through nst_nb's own network, style targets, loss and gradients, for `gpu_mirror.py check`."
    import tensorflow as tf
    from nst_nb.network import load_network
    from nst_nb.train_settings import network_settings
    from nst_nb.settings import validate
    from nst_nb.training import PerceptualLoss, random_crops
    z = np.load(a.data); meta = json.loads(bytes(z['meta']).decode())
    net, info = load_network(a.model)
    s = validate(network_settings(info))
    styles = [z[f'style_{i}'] for i in range(len(meta['styles']))]
    photos = [z[f'photo_{i}'] for i in range(meta['n_photos'])]
    loss = PerceptualLoss(s, styles)
    crops = random_crops(photos, 128, 2, np.random.default_rng(1)); style = 2
    w = np.repeat(np.eye(len(styles), dtype='float32')[style:style + 1], len(crops), 0)
    with tf.GradientTape() as tape:
        out = net([tf.constant(crops), tf.constant(w)], training=True)
        parts = loss(tf.constant(crops), out, style)
    g = tape.gradient(parts[0], net.trainable_variables)
    assert [v.shape for v in net.trainable_variables] == [x.shape for x in net.get_weights()]
    arrays = {'crops': crops, 'w': w, 'style': np.array(style), 'out': out.numpy(), 'losses': np.array([float(p) for p in parts])}
    arrays |= {f'g_{i}': gi.numpy() for i, gi in enumerate(g)}
    arrays |= {f't_{l}_{i}': np.asarray(loss.targets[style][l][i]) for l in s.style_layers for i in range(3)}   # the batch's style's targets
    np.savez(a.out, **arrays)
    print(f'wrote {a.out}: losses {arrays["losses"]}')


def _runs(meta: dict, device: str) -> list[dict]:
    "One entry per GPU run that made these weights, oldest first (a run started `--init` from an earlier one names it in `init`)."
    chain = [meta]
    while 'init' in chain[0]: chain.insert(0, chain[0]['init'])
    out, steps0, secs0 = [], 0, 0.0
    for m in chain:
        c = {k: v for k, v in m['config'].items() if k in ('size', 'style_size', 'batch', 'lr', 'seed')}
        out.append({'steps': m['steps_done'] - steps0, 'seconds': round(m['seconds'] - secs0, 1), 'device': device or m['device'],
                    'by': 'benchmarks/gpu_mirror.py (JAX), checked against nst_nb by `gpu_mirror.py check`',
                    'config': {**c, 'final_lr': m.get('final_lr')}, 'adam': 'fresh'})
        steps0, secs0 = m['steps_done'], m['seconds']
    return out


def import_(a):
    "The mirror's weights in a model file with nst_nb's info, and its sidecar with the whole loss history."
    from nst_nb.network import load_network, save_network
    from nst_nb.result import versions, write_atomically
    z = np.load(a.run); meta = json.loads(bytes(z['meta']).decode())
    net, info = load_network(a.model)
    old = json.loads(Path(a.model).with_suffix('.json').read_text())
    if not (meta['step'] == info['step'] == len(old['history'])):
        raise SystemExit(f"{a.run} was trained from a network at step {meta['step']}, and {a.model} is at step {info['step']} "
                         f"with {len(old['history'])} steps in its sidecar: import into the network it was prepared from.")
    net.set_weights([z[f'net_{i}'] for i in range(meta['n_weights'])])
    r4 = lambda v: float(f'{float(v):.4g}')   # four digits for the GPU's steps: the sidecar stays under 2 MB
    gpu = [dict(zip(('total', 'content', 'style', 'tv'), map(r4, h[:4])), style_index=int(h[4])) for h in z['history']]
    steps = info['step'] + len(gpu)
    first = info.get('trained', [{'steps': info['step'], 'by': 'nst_nb_train', 'device': 'CPU', 'seconds': round(old.get('seconds', 0), 1),
                                  'version': info.get('version'), 'config': info['config']}])
    new = {**info, 'step': steps, 'trained': [*first, *_runs(meta, a.device)], 'version': versions()['nst_nb'], 'versions': versions()}
    out = Path(a.out)
    save_network(net, out, new)
    side = {**{k: v for k, v in old.items() if k != 'history'}, **new, 'history': old['history'] + gpu,
            'seconds': round(sum(t['seconds'] for t in new['trained']), 1)}
    write_atomically(out.with_suffix('.json'), lambda tmp: Path(tmp).write_text(json.dumps(side, separators=(',', ':'))))   # compact: package data
    print(f'wrote {out} ({out.stat().st_size / 2**20:.2f} MB, sidecar {out.with_suffix(".json").stat().st_size / 2**20:.2f} MB): '
          f'{steps} steps in all, {len(gpu)} on {new["trained"][-1]["device"]} in {len(new["trained"]) - 1} run(s)')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('prepare'); c.add_argument('--model', default=str(COURSE)); c.add_argument('--out', default=str(DATA / 'course.npz'))
    r = sub.add_parser('reference'); r.add_argument('--model', default=str(COURSE)); r.add_argument('--data', default=str(DATA / 'course.npz'))
    r.add_argument('--out', default=str(DATA / 'reference.npz'))
    i = sub.add_parser('import'); i.add_argument('run'); i.add_argument('--model', default=str(COURSE)); i.add_argument('-o', '--out', required=True)
    i.add_argument('--device', help="the GPU's name, as nvidia-smi -L gives it (JAX says only cuda:0)")
    a = p.parse_args()
    return {'prepare': prepare, 'reference': reference, 'import': import_}[a.cmd](a)


if __name__ == '__main__': sys.exit(main())
