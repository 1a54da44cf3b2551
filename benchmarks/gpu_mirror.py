#!/usr/bin/env python
"""A JAX mirror of nst_nb's lean transform network and of its training loss, to train the shipped network on a lent GPU.

The GPU machines this project is sometimes lent have JAX and no TensorFlow (TensorFlow with its CUDA libraries is
about 3 GB; a call carries 64 MiB), so this file restates, in JAX, exactly what `nst_nb_train` computes:

* the network: `nst_nb.network.transform_net(shape='lean')` (reflection padding, convolutions, `StyleNorm`'s
  conditional instance normalisation, nearest-neighbour and bilinear upsampling), its weights a flat list in the order
  Keras's `get_weights()` gives them, so they go back and forth unchanged;
* the loss: `nst_nb.training.PerceptualLoss` with the W2 statistic (the trace by coupled Newton-Schulz iterations,
  30 of them, as nst_nb's GPU path `_trace_sqrt` does, but in float64; the style targets by `eigh`, as its CPU path;
  the gradient ½ (m + δI)^-½), the content loss, the total variation (power 1.25), the weights of the network's
  settings, in float32 throughout otherwise (nst_nb on a GPU would pick bfloat16 for the backbone);
* the data: random square crops of the photos scaled 1-2x the crop's side (16 scales made once), flipped half the time.

What differs from `nst_nb_train`, on purpose: the learning rate can fall along a cosine over the run's wall-clock time
(`--final-lr`, for a time-boxed run on a lent machine), and `--init` goes on from an earlier run's weights with a fresh
Adam (the optimiser's state is not carried).

It imports nothing of nst_nb. `benchmarks/train_gpu.py` (TensorFlow, on this machine) writes what it needs
(`prepare`), a reference batch with nst_nb's own losses and gradients (`reference`), and reads the weights back into a
`.keras` model file (`import`). `python benchmarks/gpu_mirror.py check` compares this mirror with that reference
(pictures, each loss, every gradient) before any training is trusted.

    python benchmarks/gpu_mirror.py check .gpu/course.npz .gpu/reference.npz
    python benchmarks/gpu_mirror.py train .gpu/course.npz -o OUT/run.npz --seconds 400 --batch 4 --size 128 --lr 2e-3
"""
from __future__ import annotations
import argparse, json, os, queue, sys, threading, time
from pathlib import Path

import numpy as np
from PIL import Image

W2_EPS, W2_SCALE, NS_STEPS, IN_EPS = 1e-5, 25.0, 30, 1e-5   # nst_nb.stats.W2_EPS, W2_SCALE, _trace_sqrt's steps; StyleNorm's eps


def _jax():
    "JAX, with float32 matrix products in full float32 (no TF32), as nst_nb computes on a CPU, and float64 for the W2 statistic."
    import jax
    jax.config.update('jax_default_matmul_precision', 'highest')
    jax.config.update('jax_enable_x64', True)
    return jax


# The network: `transform_net(styles, width, blocks, separable=False, shape='lean')`, weights in Keras's order

def network(P: list, img, w, blocks: int):
    "Pixels `(B,H,W,3)` 0-255 and style weights `(B,S)` to pixels, with the weights `P` in `get_weights()` order."
    import jax.numpy as jnp
    from jax import lax, nn
    it = iter(P)
    def conv(x, stride=1):
        k, b = next(it), next(it); p = k.shape[0] // 2
        x = jnp.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode='reflect')
        return lax.conv_general_dilated(x, k, (stride, stride), 'VALID', dimension_numbers=('NHWC', 'HWIO', 'NHWC')) + b
    def norm(x):
        g, b = next(it), next(it)
        mean = x.mean((1, 2), keepdims=True); var = jnp.square(x - mean).mean((1, 2), keepdims=True)
        return (x - mean) * lax.rsqrt(var + IN_EPS) * (w @ g)[:, None, None, :] + (w @ b)[:, None, None, :]
    def block(x, stride=1, relu=True):
        x = norm(conv(x, stride)); return nn.relu(x) if relu else x
    x = block(block(img / 127.5 - 1.0, 2), 2)
    for _ in range(blocks): x = x + block(block(x), relu=False)
    x = block(jnp.repeat(jnp.repeat(x, 2, 1), 2, 2))                    # UpSampling2D(nearest), then a block
    B, H, W, C = x.shape
    x = jax_resize(x, (B, 2 * H, 2 * W, C))                             # Bilinear2x: tf.image.resize, half-pixel centres
    x = conv(x)
    assert next(it, None) is None, 'weights left over: not a lean network of this many blocks'
    return jnp.tanh(x) * 127.5 + 127.5


def jax_resize(x, shape):
    "Bilinear resizing with half-pixel centres (upsampling: no antialiasing), as `tf.image.resize(..., 'bilinear')`."
    import jax
    return jax.image.resize(x, shape, 'bilinear', antialias=False)


# The backbone: its layers, weights and input convention as nst_nb's `Backbone` record gives them (`prepare` writes them)

class Backbone:
    "A VGG-like backbone: 3×3 convolutions with ReLU and 2×2 max-pooling, in the order of `layers` (Keras's names)."
    def __init__(self, layers: list, weights: dict, mean, scale: float, bgr: bool):
        self.layers, self.weights, self.mean, self.scale, self.bgr = layers, weights, np.asarray(mean, np.float32), np.float32(scale), bgr

    def to_input(self, rgb):
        "RGB pixels 0-255 as the backbone's input (`Backbone.to_input`)."
        return ((rgb[..., ::-1] if self.bgr else rgb) - self.mean) * self.scale

    def features(self, x, wanted: tuple) -> dict:
        "The outputs of the layers `wanted` for backbone inputs `x`."
        from jax import lax, nn
        out = {}
        for name in self.layers:
            if 'pool' in name: x = lax.reduce_window(x, -np.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), 'VALID'); continue
            k, b = self.weights[name]
            x = nn.relu(lax.conv_general_dilated(x, k, (1, 1), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC')) + b)
            if name in wanted: out[name] = x
            if len(out) == len(wanted): return out
        raise ValueError(f'layers {set(wanted) - set(out)} are not among the backbone layers prepared')


# The loss

def moments(f):
    "Mean `(B,C)` and covariance `(B,C,C)` of each picture's feature vectors (`feature_moments`), in float64."
    import jax.numpy as jnp
    a = f.reshape(f.shape[0], -1, f.shape[-1]).astype(jnp.float64); n = a.shape[1]
    mu = a.mean(1); c = a - mu[:, None]
    return mu, jnp.einsum('bnc,bnd->bcd', c, c) / n


def _ns(m):
    "`tr((m + δI)^½)` and `(m + δI)^-½` by coupled Newton-Schulz iterations (`sqrtm_ns`, as `_trace_sqrt` on a GPU)."
    import jax.numpy as jnp
    n = m.shape[-1]; eye = jnp.eye(n, dtype=m.dtype)
    a = m + W2_EPS * jnp.trace(m, axis1=-2, axis2=-1)[:, None, None] / n * eye
    norm = jnp.sqrt(jnp.square(a).sum((-2, -1)))[:, None, None]
    y, z = a / norm, jnp.broadcast_to(eye, a.shape)
    for _ in range(NS_STEPS):
        t = 0.5 * (3.0 * eye - z @ y); y, z = y @ t, t @ z
    return jnp.trace(y * jnp.sqrt(norm), axis1=-2, axis2=-1), z / jnp.sqrt(norm)


def _trace_sqrt():
    "`_ns`'s trace with nst_nb's gradient, ½ (m + δI)^-½."
    import jax
    @jax.custom_vjp
    def f(m): return _ns(m)[0]
    def fwd(m): return _ns(m)
    def bwd(si, g): return (g[:, None, None] * 0.5 * si,)
    f.defvjp(fwd, bwd)
    return f


def w2_distances(target, f, trace_sqrt):
    """Each picture's squared W2 distance to the style's Gaussian, per channel (`w2_distance`), `(B,)`, computed in float64.

    In float32, `root_s @ cov @ root_s` of a layer with fewer positions than channels (block5 of a 128 px crop: 64
    positions, 512 channels) has eigenvalues below zero by more than the lift δ, and Newton-Schulz then gives NaN;
    nst_nb's CPU path clamps `eigh`'s eigenvalues at δ instead. In float64 the rounding is far below δ."""
    import jax.numpy as jnp
    mu_s, cov_s, root_s = target
    mu, cov = moments(f)
    m = root_s @ cov @ root_s; m = 0.5 * (m + jnp.swapaxes(m, -1, -2))
    d = (jnp.square(mu - mu_s).sum(-1) + jnp.trace(cov, axis1=-2, axis2=-1) + jnp.trace(cov_s) - 2.0 * trace_sqrt(m))
    return (jnp.maximum(d, 0.0) / mu.shape[-1]).astype(jnp.float32)


def tv(x, power: float = 1.25):
    "Total variation `Σ (Δx² + Δy²)^power / (H·W)`, averaged over the batch (`tv_loss`)."
    a = (x[:, :-1, :-1] - x[:, 1:, :-1]) ** 2; b = (x[:, :-1, :-1] - x[:, :-1, 1:]) ** 2
    return ((a + b) ** power).sum((1, 2, 3)).mean() / (x.shape[1] * x.shape[2])


def make_loss(V: Backbone, meta: dict, targets: list):
    "`loss(P, crops, w, style)`: total, content, style, TV, as `PerceptualLoss` gives them."
    import jax, jax.numpy as jnp
    s = meta['settings']; cl, sl, lw = tuple(s['content_layers']), tuple(s['style_layers']), jnp.array(meta['layer_weights'], jnp.float32)
    T = {l: tuple(jnp.stack([t[l][i] for t in targets]) for i in range(3)) for l in sl}   # each layer: mu, cov, root of every style
    trace_sqrt, blocks = _trace_sqrt(), meta['config']['blocks']
    def loss(P, crops, w, style):
        out = network(P, crops, w, blocks)
        x = V.to_input(out)
        fc = jax.lax.stop_gradient(V.features(V.to_input(crops), cl))
        fo = V.features(x, tuple(dict.fromkeys(sl + cl)))
        c = sum(jnp.mean(jnp.square(fc[l] - fo[l])) / 4.0 for l in cl) / len(cl)
        per_layer = jnp.stack([W2_SCALE * w2_distances(tuple(t[style] for t in T[l]), fo[l], trace_sqrt).mean() for l in sl])
        st, t = jnp.sum(lw * per_layer), tv(x)
        return s['content_weight'] * c + s['style_weight'] * st + s['tv_weight'] * t, (c, st, t)
    return loss


def style_target(V: Backbone, px: np.ndarray, layers: tuple) -> dict:
    "Each layer's W2 target of one style picture: mean, covariance and the covariance's square root (`w2_target`: `eigh`, δ lifted)."
    f = V.features(V.to_input(np.asarray(px, np.float32)[None]), layers)
    out = {}
    for l in layers:
        a = np.asarray(f[l], np.float64).reshape(-1, f[l].shape[-1]); mu = a.mean(0); c = a - mu; cov = c.T @ c / len(a)
        n = cov.shape[0]; lift = 1e-5 * np.trace(cov) / n
        e, v = np.linalg.eigh(cov + lift * np.eye(n)); e = np.maximum(e, lift)
        out[l] = (mu, cov, (v * np.sqrt(e)) @ v.T)   # float64
    return out


# What `prepare` wrote

def load(path: str) -> tuple[list, Backbone, list, list, dict]:
    "The starting weights, the backbone's weights, the style and photo pixels and the run's description."
    z = np.load(path)
    meta = json.loads(bytes(z['meta']).decode())
    P = [z[f'net_{i}'] for i in range(meta['n_weights'])]
    b = meta['backbone_net']
    V = Backbone(b['layers'], {l: (z[f'bb_{l}_k'], z[f'bb_{l}_b']) for l in b['layers'] if 'pool' not in l}, b['mean'], b['scale'], b['bgr'])
    styles = [z[f'style_{i}'] for i in range(len(meta['styles']))]
    photos = [z[f'photo_{i}'] for i in range(meta['n_photos'])]
    return P, V, styles, photos, meta


# The data

class Crops:
    "Batches of random crops: a photo, scaled so its shorter side is 1-2x the crop's (16 scales made once), a window, a flip."
    def __init__(self, photos: list, size: int, batch: int, seed: int, scales: int = 16):
        self.size, self.batch, self.rng = size, batch, np.random.default_rng(seed)
        self.scaled = []
        for p in photos:
            im = Image.fromarray(p)
            for f in np.linspace(1, 2, scales):
                k = size * f / min(im.size)
                self.scaled.append(np.asarray(im.resize((max(size, round(im.width * k)), max(size, round(im.height * k))), Image.BICUBIC)))
    def __call__(self) -> np.ndarray:
        out = []
        for i in self.rng.integers(len(self.scaled), size=self.batch):
            a = self.scaled[i]; y, x = self.rng.integers(a.shape[0] - self.size + 1), self.rng.integers(a.shape[1] - self.size + 1)
            a = a[y:y + self.size, x:x + self.size]
            out.append(a[:, ::-1] if self.rng.random() < 0.5 else a)
        return np.stack(out).astype('float32')


# Commands

def check(a):
    "Compare the mirror with nst_nb's own computation of one batch: the picture, the style targets, each loss, every gradient."
    jax = _jax(); import jax.numpy as jnp
    P, V, styles, photos, meta = load(a.data)
    r = np.load(a.reference); sl = tuple(meta['settings']['style_layers'])
    t0 = time.perf_counter()
    targets, k = [style_target(V, px, sl) for px in styles], int(r['style'])
    worst_t = max(float(np.abs(targets[k][l][i] - r[f't_{l}_{i}']).max() / (np.abs(r[f't_{l}_{i}']).max() + 1e-12)) for l in sl for i in range(3))
    loss = make_loss(V, meta, targets)
    crops, w, style = jnp.asarray(r['crops']), jnp.asarray(r['w']), int(r['style'])
    out = network([jnp.asarray(p) for p in P], crops, w, meta['config']['blocks'])
    (total, parts), g = jax.value_and_grad(loss, has_aux=True)([jnp.asarray(p) for p in P], crops, w, style)
    mine = np.array([float(total), *map(float, parts)]); ref = r['losses']
    rel = np.abs(mine - ref) / np.abs(ref)
    ref_g, my_g = [r[f'g_{i}'] for i in range(len(g))], [np.asarray(gi) for gi in g]
    big = max(np.linalg.norm(x) for x in ref_g)   # the biases before a normalisation have gradients of rounding noise only
    gerr = [float(np.linalg.norm(m - x) / np.linalg.norm(x)) for m, x in zip(my_g, ref_g) if np.linalg.norm(x) > 1e-3 * big]
    left_out = [f'{i} {P[i].shape}' for i, x in enumerate(ref_g) if np.linalg.norm(x) <= 1e-3 * big]
    gall = float(np.linalg.norm(np.concatenate([(m - x).ravel() for m, x in zip(my_g, ref_g)])) / np.linalg.norm(np.concatenate([x.ravel() for x in ref_g])))
    res = {'picture_max_abs_diff': float(np.abs(np.asarray(out) - r['out']).max()), 'targets_max_rel_diff': worst_t,
           'losses_mirror': mine.tolist(), 'losses_nst_nb': ref.tolist(), 'losses_rel_diff': rel.tolist(),
           'gradient_rel_err_all': gall, 'gradient_rel_err_max': max(gerr), 'gradients_compared': f'{len(gerr)} of {len(g)}', 'gradients_left_out (norm under 1e-3 of the largest)': left_out, 'seconds': time.perf_counter() - t0,
           'device': str(jax.devices()[0])}
    print(json.dumps(res, indent=1), flush=True)
    ok = res['picture_max_abs_diff'] < 0.05 and worst_t < 1e-3 and rel.max() < 2e-3 and gall < 1e-2 and max(gerr) < 2e-2
    print('mirror matches nst_nb' if ok else 'MIRROR DIFFERS FROM nst_nb', flush=True)
    return 0 if ok else 1


def _save(path: Path, P, history: list, meta: dict, extra: dict):
    "The weights and the loss history, written atomically."
    tmp = path.with_name(path.stem + '.tmp.npz')
    np.savez(tmp, meta=np.frombuffer(json.dumps({**meta, **extra}).encode(), np.uint8), history=np.array(history, np.float32),
             **{f'net_{i}': np.asarray(p) for i, p in enumerate(P)})
    os.replace(tmp, path)


def train(a):
    "Adam on the mirror's loss from the prepared weights, until `--steps` or `--seconds`; the weights saved every `--every` s."
    jax = _jax(); import jax.numpy as jnp, optax
    P, V, styles, photos, meta = load(a.data)
    if a.init:   # go on from an earlier run's weights (a fresh Adam), its steps counted in the history
        z = np.load(a.init); P = [z[f'net_{i}'] for i in range(meta['n_weights'])]; before = z['history'].tolist()
        meta['init'] = json.loads(bytes(z['meta']).decode())
    else: before = []
    meta['config'].update(batch=a.batch, size=a.size, lr=a.lr, seed=a.seed)
    meta['final_lr'] = a.final_lr if a.final_lr and a.seconds < 1e9 else a.lr   # what `rate` below does
    sl, S = tuple(meta['settings']['style_layers']), len(styles)
    t0 = time.perf_counter()
    V.weights = {k: (jnp.asarray(v[0]), jnp.asarray(v[1])) for k, v in V.weights.items()}
    targets = [style_target(V, px, sl) for px in styles]
    loss = make_loss(V, meta, targets)
    opt = optax.inject_hyperparams(optax.adam)(learning_rate=a.lr, b1=0.9, b2=0.999, eps=1e-7)   # Keras's Adam; the rate set each step
    def rate(now: float) -> float:
        "The learning rate at `now` s: cosine from `--lr` to `--final-lr` over `--seconds` (constant without `--final-lr`)."
        frac = min(now / a.seconds, 1.0) if a.final_lr and a.seconds < 1e9 else 0.0
        return a.final_lr + (a.lr - a.final_lr) * 0.5 * (1 + np.cos(np.pi * frac)) if a.final_lr else a.lr
    P = [jnp.asarray(p) for p in P]; state = opt.init(P)
    @jax.jit
    def step(P, state, x, w, style):
        (tot, parts), g = jax.value_and_grad(loss, has_aux=True)(P, x, w, style)
        up, state = opt.update(g, state, P)
        return optax.apply_updates(P, up), state, jnp.stack([tot, *parts])
    crops = Crops(photos, a.size, a.batch, a.seed)
    q = queue.Queue(maxsize=8); rng = np.random.default_rng(a.seed + 1)
    def feed():
        while True: q.put(crops())
    threading.Thread(target=feed, daemon=True).start()
    eye, history, out = np.eye(S, dtype='float32'), before, Path(a.out)
    print(f'set-up {time.perf_counter() - t0:.1f} s on {jax.devices()[0]}', flush=True)
    t_start = last = time.perf_counter(); pending, n0 = [], len(history)
    for i in range(len(before), a.steps):
        k = int(rng.integers(S))
        state.hyperparams['learning_rate'] = jnp.asarray(rate(time.perf_counter() - t_start), jnp.float32)
        P, state, parts = step(P, state, jnp.asarray(q.get()), jnp.asarray(np.repeat(eye[k:k + 1], a.batch, 0)), k)
        pending.append((parts, k)); over = time.perf_counter() - t_start > a.seconds
        if len(pending) >= 50 or i + 1 == a.steps or over:
            history += [[*map(float, np.asarray(p)), kk] for p, kk in pending]; pending = []
            now = time.perf_counter()
            if now - last > a.every or i + 1 == a.steps or now - t_start > a.seconds:
                _save(out, P, history, meta, {'steps_done': len(history), 'seconds': now - t_start + meta.get('init', {}).get('seconds', 0), 'device': str(jax.devices()[0])})
                last = now
                h = np.array(history[-200:]); print(f'step {len(history)}: {now - t_start:.0f} s, {(now - t_start) / max(len(history) - n0, 1) * 1e3:.1f} ms a step, '
                                                    f'loss {h[:, 0].mean():.4g} (content {h[:, 1].mean():.4g}, style {h[:, 2].mean():.4g})', flush=True)
            if now - t_start > a.seconds: break
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('check', help='compare the mirror with nst_nb on the reference batch')
    c.add_argument('data'); c.add_argument('reference')
    t = sub.add_parser('train', help='train from the prepared weights')
    t.add_argument('data'); t.add_argument('-o', '--out', required=True)
    t.add_argument('--steps', type=int, default=1_000_000); t.add_argument('--seconds', type=float, default=1e9)
    t.add_argument('--batch', type=int, default=4); t.add_argument('--size', type=int, default=128)
    t.add_argument('--lr', type=float, default=2e-3); t.add_argument('--final-lr', type=float, default=0.0, help='cosine decay over --seconds to this rate (0: constant)')
    t.add_argument('--seed', type=int, default=0); t.add_argument('--init', help="an earlier run's weights to start from"); t.add_argument('--every', type=float, default=60, help='seconds between saves')
    a = p.parse_args()
    return check(a) if a.cmd == 'check' else train(a)


if __name__ == '__main__': sys.exit(main())
