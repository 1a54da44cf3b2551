#!/usr/bin/env python
"""Could the network itself not flicker? A probe, not a feature: `course_fast` trained on for a few hundred steps with
a temporal term beside its distillation loss, then measured as the video benchmark measures the shipped networks.

The temporal term asks for equivariance below the network's stride of 4: a crop moved by 1 to 3 px (whole pixels, so
nothing is resampled) must be painted as the painting of the unmoved crop, moved by as much (Huang et al. 2017 ask the
same of consecutive video frames along their flow; here the motion is known exactly). The distillation term keeps
the painting close to `course`'s, with the loss `course_fast` was trained with (`nst_nb.distil.DistilLoss`: pixels and edges).

    python benchmarks/bench_temporal.py [--weights 0.3 1 3] [--steps 800] [--styles gravel brush_strokes] [--json benchmarks/temporal.json] [--picture images/gallery/temporal.jpg]

Each weight's network is written to a temporary folder, then `bench_video.py --no-fps` measures it beside
`course_fast` (flicker frame by frame and blended, and the style figures of the frames) in the styles given; the
JSON keeps the training losses and `bench_video`'s figures. The picture: one frame of the pan, painted frame by
frame by each network.
"""
from __future__ import annotations
import argparse, json, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json

CROP, BATCH, MARGIN, SHIFTS = 128, 8, 8, 3   # crops, batch, border left out of the temporal term, largest shift in px


def train(weight: float, steps: int, out: Path, seed: int = 0, lr: float = 5e-4) -> list:
    "`course_fast` trained on `steps` steps with the temporal term at `weight`; written to `out`; the losses every step."
    import numpy as np, tensorflow as tf, keras
    from nst_nb.distil import DistilLoss
    from nst_nb.network import load_network, save_network
    from nst_nb.train_settings import network_info
    from nst_nb.training import photo_pixels, random_crops
    student, teacher = load_network('course_fast')[0], load_network('course')[0]
    n, distilled = int(teacher.input[1].shape[-1]), DistilLoss(teacher)   # `course_fast`'s own loss: pixels and edges against `course`
    eye = np.eye(n, dtype='float32')
    photos, rng, opt = photo_pixels(None), np.random.default_rng(seed), keras.optimizers.Adam(lr); keras.utils.set_random_seed(seed)

    @tf.function(reduce_retracing=True)
    def step(big, w, k, dy, dx):
        S, M = CROP, MARGIN
        x1, x2 = big[:, :S, :S], big[:, dy:dy + S, dx:dx + S]          # x2[i, j] = x1[i + dy, j + dx]
        with tf.GradientTape() as tape:
            o1, o2 = student([x1, w], training=True), student([x2, w], training=True)
            distil = (distilled(x1, o1, k)[0] + distilled(x2, o2, k)[0]) / 2
            temporal = tf.reduce_mean(tf.abs(o2[:, M:S - dy - M, M:S - dx - M] - o1[:, dy + M:S - M, dx + M:S - M])) / 255
            loss = distil + weight * temporal
        opt.apply(tape.gradient(loss, student.trainable_variables), student.trainable_variables)
        return loss, distil, temporal

    history, t0 = [], time.perf_counter()
    for i in range(steps):
        k, big = int(rng.integers(n)), tf.constant(random_crops(photos, CROP + SHIFTS, BATCH, rng))
        dy, dx = (int(v) for v in rng.integers(0, SHIFTS + 1, 2))
        if dy == dx == 0: dx = 1 + int(rng.integers(SHIFTS))
        history.append([float(v) for v in step(big, tf.constant(np.repeat(eye[k:k + 1], BATCH, 0)), tf.constant(k), tf.constant(dy), tf.constant(dx))])
        if (i + 1) % 100 == 0:
            m = np.mean(history[-100:], 0)
            print(f'weight {weight:g}, step {i + 1}/{steps}: loss {m[0]:.4f}, distillation {m[1]:.4f}, temporal {m[2]:.4f} ({time.perf_counter() - t0:.0f} s)', flush=True)
    save_network(student, out, {**network_info('course_fast'), 'probe': {'temporal_weight': weight, 'steps': steps, 'lr': lr, 'seed': seed}})
    return history


def picture(models: dict, style: str, path: Path):
    "One frame of the pan, painted frame by frame by each network, side by side with their names."
    import numpy as np
    from PIL import Image, ImageDraw
    from nst_nb.images import open_image
    from nst_nb.network import load_network, stylise, style_input
    from nst_nb.video import pan_clip
    rocket = open_image(ROOT / 'images/content/rocket.jpg'); rocket = np.asarray(rocket.resize((rocket.width * 3 // 2, rocket.height * 3 // 2), Image.Resampling.LANCZOS))
    frame = list(pan_clip(rocket, 31, (480, 640), (1, 3)))[30]
    frame = np.asarray(Image.fromarray(frame).resize((342, 256), Image.Resampling.BILINEAR))
    tiles = []
    for name, m in models.items():
        net = load_network(m)[0]; t = Image.fromarray(stylise(net, frame, style_input(net, style)[0].tolist()))
        ImageDraw.Draw(t).text((6, 4), name, fill='white', stroke_width=2, stroke_fill='black'); tiles.append(np.asarray(t))
    Image.fromarray(np.concatenate(tiles, 1)).save(path, quality=85)
    print(f'wrote {path}')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--weights', type=float, nargs='+', default=[0.3, 1.0, 3.0]); p.add_argument('--steps', type=int, default=800)
    p.add_argument('--styles', nargs='+', default=['gravel', 'brush_strokes'])
    p.add_argument('--json', default=None); p.add_argument('--picture', default=None)
    a = p.parse_args(argv)
    head = machine('vgg16-hed', 'float32'); print_header(head)
    d, trained = Path(tempfile.mkdtemp(prefix='nst_nb-probe-')), {}
    for w in a.weights:
        t0 = time.perf_counter(); h = train(w, a.steps, d / f'temporal_{w:g}.keras')
        trained[f'{w:g}'] = {'seconds': round(time.perf_counter() - t0, 1), 'first_100': [round(float(sum(r[i] for r in h[:100]) / 100), 5) for i in range(3)],
                             'last_100': [round(float(sum(r[i] for r in h[-100:]) / 100), 5) for i in range(3)]}
    import bench_video
    models = ['course_fast'] + [str(d / f'temporal_{w:g}.keras') for w in a.weights]
    video = bench_video.main(['--models', *models, '--style', a.styles[0], '--styles', *a.styles, '--no-fps', '--long', '0', '--opt-frames', '0'])
    if a.picture: picture({'course_fast': 'course_fast', **{f'temporal {w:g}': str(d / f'temporal_{w:g}.keras') for w in a.weights}}, a.styles[0], Path(a.picture))
    finish(head)
    if a.json: write_json(a.json, {'training': trained, 'networks': video['networks'], 'args': vars(a)}, head)


if __name__ == '__main__':
    main()
