#!/usr/bin/env python
"""Speed benchmark of the nst_nb engine (`nst_nb.transfer.transfer`).

Prints three tables:

1. seconds per optimisation step at one size (default 400 px) for each engine optimiser
   and for a deliberately naive eager loop, and the ratio naive / engine;
2. how seconds per step and peak memory (of a fresh child process per size) grow with the size;
3. wall time for L-BFGS and Adam to first reach the same total loss.

Run `python benchmarks/bench_speed.py --quick` for a smoke run (< 2 minutes), or without
`--quick` for the full benchmark. See benchmarks/README.md for what each figure means.
Figures are measurements, not assertions: nothing here fails when the machine is slow.
"""
from __future__ import annotations
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / 'images/content/chelsea.jpg'
STYLE = ROOT / 'images/style/brush_strokes.jpg'
WARMUP = 1  # steps left out of the steady-state figures (the first one traces and compiles the graph)
NAN = float('nan')


def clock() -> tuple[float, float]:
    "Wall time and this process's CPU time (all threads), in seconds."
    return time.perf_counter(), time.process_time()


def steady(stamps: list[tuple[float, float]], warmup: int = WARMUP) -> dict:
    "Mean wall and CPU seconds per step from the clocks read after each step, leaving out the first `warmup` steps."
    n = len(stamps) - 1 - warmup
    if n < 1: return {'wall_s': NAN, 'cpu_s': NAN}
    return {'wall_s': (stamps[-1][0] - stamps[warmup][0]) / n, 'cpu_s': (stamps[-1][1] - stamps[warmup][1]) / n}


def machine(backbone: str) -> dict:
    "CPU model, cores, load and software versions."
    import tensorflow as tf
    cpu = next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines()
                if l.startswith('model name')), platform.processor())
    return {'cpu': cpu, 'cores': os.cpu_count(), 'load_avg_1_5_15': [round(v, 2) for v in os.getloadavg()],
            'tensorflow': tf.__version__, 'python': platform.python_version(), 'backbone': backbone,
            'date': time.strftime('%Y-%m-%d %H:%M %Z')}


def engine_run(size: int, steps: int, optimizer: str, backbone: str, **kwargs):
    "One engine run with the benchmark's content and style pictures (`kwargs` go to `transfer`)."
    from nst_nb.transfer import transfer
    return transfer(CONTENT, STYLE, size=size, iterations=steps, optimizer=optimizer, backbone=backbone, progress=False, **kwargs)


def timed_engine_run(size: int, steps: int, optimizer: str, backbone: str) -> dict:
    "An engine run with the clocks read after every step (from its callback); its figures as a dict."
    stamps = []
    r = engine_run(size, steps, optimizer, backbone, every=1, callback=lambda step: stamps.append(clock()))
    return {'steps': len(r.history), 'first_step_s': r.history[0]['time'] - r.timings['setup_s'],
            'engine_per_step_s': r.timings['per_step_s'], 'setup_s': r.timings['setup_s'],
            **steady(stamps), 'width': r.image.size[0]}


def naive_loop(size: int, steps: int, backbone: str, lr: float = 10.0) -> dict:
    """The tutorials' loop: eager Adam on the full network, three images in one batch, Gram targets every step.

    The loss has the engine's form and default weights so that the arithmetic is the same; only the
    way it is run differs."""
    import numpy as np, tensorflow as tf, keras
    from nst_nb.features import load_backbone, CONTENT_LAYERS, STYLE_LAYERS
    from nst_nb.images import load_image, preprocess
    vgg = load_backbone(backbone)
    net = keras.Model(vgg.input, {l.name: l.output for l in vgg.layers[1:]})  # every layer, up to block5_pool
    content = load_image(CONTENT, size)
    base = preprocess(content)
    style = preprocess(load_image(STYLE).resize(content.size))  # tutorials: one shape for all three images
    x, opt = tf.Variable(base), keras.optimizers.Adam(learning_rate=lr)
    lo = -np.array([103.939, 116.779, 123.68], np.float32)

    def gram(f):
        f = tf.reshape(f, (-1, f.shape[-1]))
        return tf.matmul(f, f, transpose_a=True) / tf.cast(tf.shape(f)[0], tf.float32)

    t0, stamps = clock(), []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            feats = net(tf.concat([base, style, x], 0))                      # content, style, generated
            c = tf.add_n([tf.reduce_mean(tf.square(feats[l][0] - feats[l][2])) / 4 for l in CONTENT_LAYERS])
            s = tf.add_n([tf.reduce_sum(tf.square(gram(feats[l][1]) - gram(feats[l][2]))) / (4. * feats[l].shape[-1] ** 2)
                          for l in STYLE_LAYERS]) / len(STYLE_LAYERS)
            d = x[:, :-1, :-1, :]
            tv = tf.reduce_sum(tf.pow(tf.square(d - x[:, 1:, :-1, :]) + tf.square(d - x[:, :-1, 1:, :]), 1.25)) / (x.shape[1] * x.shape[2])
            loss = 1.0 * c + 1e-2 * s + 1e-5 * tv
        opt.apply_gradients([(tape.gradient(loss, x), x)])
        x.assign(tf.clip_by_value(x, lo, lo + 255))
        float(loss)  # wait for the step to finish, as printing the loss would
        stamps.append(clock())
    return {'steps': steps, 'first_step_s': stamps[0][0] - t0[0], 'engine_per_step_s': (stamps[-1][0] - t0[0]) / steps,
            'setup_s': 0.0, **steady(stamps), 'width': content.size[0]}


def bench_per_step(size: int, steps: int, naive_steps: int, backbone: str) -> dict:
    "Section 1: seconds per step for each engine optimiser and for the naive loop, in this process."
    from nst_nb.transfer import OPTIMIZERS
    engine_run(64, 2, 'adam', backbone)  # build the backbone once, so that no timed run pays for it
    out = {opt: timed_engine_run(size, steps, opt, backbone) for opt in OPTIMIZERS}
    out['naive'] = naive_loop(size, naive_steps, backbone)
    return out


def proc_status_mb(key: str) -> float:
    "`VmRSS` (current) or `VmHWM` (peak since start or the last reset) of this process in MB; nan without /proc."
    try: return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(key + ':')) / 1024
    except (OSError, StopIteration): return NAN


def reset_peak_rss() -> bool:
    "Reset this process's peak RSS to its current RSS (Linux >= 4.0: /proc/self/clear_refs); False if not possible."
    try:
        with open('/proc/self/clear_refs', 'w') as f: f.write('5')
        return True
    except OSError: return False


def child(size: int, steps: int, optimizer: str, backbone: str) -> dict:
    """Run in a fresh process: build the model, then one timed engine run at `size` (none when `steps` is 0).

    Peak memory is `VmHWM`, this process's own peak RSS: `getrusage().ru_maxrss` of a child started by
    fork+exec also counts the parent's RSS at the fork (Linux keeps the pre-exec image's peak), which
    here would be the ~1 GB of the benchmark's main process. Loading the weights has a transient peak of
    its own, so the counter is reset once the model is built and the run's peak is read separately."""
    from nst_nb.features import feature_extractor, CONTENT_LAYERS, STYLE_LAYERS
    from nst_nb.images import load_image, preprocess
    ext = feature_extractor(STYLE_LAYERS + CONTENT_LAYERS, backbone)  # cached: the engine reuses it
    if steps == 0: ext(preprocess(load_image(CONTENT, 64)))
    out = {'size': size, 'load_peak_rss_mb': proc_status_mb('VmHWM'), 'loaded_rss_mb': proc_status_mb('VmRSS')}
    if steps == 0: return {**out, 'ru_maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    reset = reset_peak_rss()
    out.update(timed_engine_run(size, steps, optimizer, backbone))
    run_peak = proc_status_mb('VmHWM')
    return {**out, 'peak_rss_mb': max(out['load_peak_rss_mb'], run_peak), 'run_peak_rss_mb': run_peak if reset else NAN,
            'ru_maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(size: int, steps: int, optimizer: str, backbone: str) -> dict:
    "`child(...)` in a fresh Python process; its result is the last line it prints."
    cmd = [sys.executable, __file__, '--child-size', str(size), '--steps', str(steps), '--optimizer', optimizer, '--backbone', backbone]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode: return {'size': size, 'error': (p.stderr.strip().splitlines() or ['?'])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_sizes(sizes: list[int], steps: int, optimizer: str, backbone: str) -> dict:
    "Section 2: seconds per step and peak RSS per size, one child process each, plus a baseline child."
    return {'baseline': run_child(64, 0, optimizer, backbone), 'sizes': [run_child(n, steps, optimizer, backbone) for n in sizes]}


def time_to_reach(history: list[dict], target: float, setup_s: float = 0.0) -> tuple[float, int]:
    "Optimisation seconds (after `setup_s` of set-up) and steps until the total loss first was <= `target`; (nan, 0) if never."
    return next(((h['time'] - setup_s, i + 1) for i, h in enumerate(history) if h['total'] <= target), (NAN, 0))


def bench_converge(size: int, at_eval: int, max_steps: int, backbone: str) -> dict:
    """Section 3: L-BFGS for `at_eval` evaluations; its final loss is the target. Adam then runs until it
    reaches that loss (or `max_steps`). If it never does, Adam's final loss (the higher) is a second target."""
    lb = engine_run(size, at_eval, 'lbfgs', backbone)
    target = lb.history[-1]['total']
    ad = engine_run(size, max_steps, 'adam', backbone, every=1, callback=lambda st: False if st.losses['total'] <= target else None)
    targets = {f'L-BFGS loss at evaluation {len(lb.history)}': target}
    if ad.history[-1]['total'] > target: targets["Adam's final loss (the higher)"] = ad.history[-1]['total']
    rows = {}
    for name, t in targets.items():
        (tl, nl), (ta, na) = (time_to_reach(r.history, t, r.timings['setup_s']) for r in (lb, ad))
        rows[name] = {'target': t, 'lbfgs_s': tl, 'lbfgs_steps': nl, 'adam_s': ta, 'adam_steps': na}
    return {'size': size, 'max_steps': max_steps, 'adam_steps_run': len(ad.history),
            'setup_s': {'lbfgs': lb.timings['setup_s'], 'adam': ad.timings['setup_s']}, 'targets': rows}


def table(title: str, header: list[str], rows: list[list]) -> str:
    "A plain-text table with right-aligned columns."
    cells = [header] + [[f'{v:.3f}' if isinstance(v, float) else str(v) for v in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: '  '.join(v.rjust(n) for v, n in zip(r, w))
    return '\n'.join([f'\n{title}', line(header), '  '.join('-' * n for n in w)] + [line(r) for r in cells[1:]])


def main(argv=None):
    "Parse the arguments, run the sections, print the tables (and dump JSON if asked)."
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='small smoke version (< 2 minutes)')
    p.add_argument('--size', type=int, help='height for section 1 (default 400; quick 128)')
    p.add_argument('--sizes', type=int, nargs='+', help='heights for section 2 (default 256 400 512 768; quick 64 128)')
    p.add_argument('--steps', type=int, help='steps per engine run in sections 1-2, the first one untimed (default 8; quick 4)')
    p.add_argument('--naive-steps', type=int, help='steps of the naive loop, the first one untimed (default 5; quick 3)')
    p.add_argument('--converge-size', type=int, help='height for section 3 (default 256; quick 64)')
    p.add_argument('--at-eval', type=int, help='section 3 target: the loss L-BFGS reaches at this evaluation (default 30; quick 15)')
    p.add_argument('--converge-steps', type=int, help='most Adam steps in section 3 (default 400; quick 40)')
    p.add_argument('--optimizer', default='lbfgs', choices=('lbfgs', 'adam', 'sgd'), help='optimiser for section 2 (default lbfgs)')
    p.add_argument('--backbone', default='vgg16-hed', help="backbone (default 'vgg16-hed', offline)")
    p.add_argument('--json', metavar='OUT', help='also write the figures to this JSON file')
    p.add_argument('--child-size', type=int, help=argparse.SUPPRESS)  # internal: run one size in this process
    a = p.parse_args(argv)
    q = a.quick
    steps = a.steps if a.steps is not None else (4 if q else 8)
    if a.child_size:
        print(json.dumps(child(a.child_size, steps, a.optimizer, a.backbone))); return
    size, sizes = a.size or (128 if q else 400), a.sizes or ([64, 128] if q else [256, 400, 512, 768])
    naive_steps = a.naive_steps or (3 if q else 5)
    csize, at_eval, csteps = a.converge_size or (64 if q else 256), a.at_eval or (15 if q else 30), a.converge_steps or (40 if q else 400)

    m = machine(a.backbone)
    print(f"Machine: {m['cpu']}, {m['cores']} cores, load average {m['load_avg_1_5_15']} (1/5/15 min)\n"
          f"TensorFlow {m['tensorflow']}, Python {m['python']}, backbone {a.backbone}, {m['date']}"
          + ('  [--quick]' if q else ''))
    print(f'Content {CONTENT.name}, style {STYLE.name}', flush=True)

    r1 = bench_per_step(size, steps, naive_steps, a.backbone)
    nv = r1['naive']
    rows = [[k, v['steps'], v['first_step_s'], v['engine_per_step_s'], v['wall_s'], v['cpu_s'],
             nv['wall_s'] / v['wall_s'], nv['cpu_s'] / v['cpu_s']] for k, v in r1.items()]
    print(table(f"1. Seconds per step at {size}x{nv['width']} px (steady: mean after the first step; "
                'naive: eager, 3 images through the full net, Adam)',
                ['optimiser', 'steps', 'first step s', 'per_step_s', 'steady wall s', 'steady CPU s',
                 'naive/this wall', 'naive/this CPU'], rows), flush=True)

    r2 = bench_sizes(sizes, steps, a.optimizer, a.backbone)
    rows = [[f"{r['size']}x{r.get('width', '?')}", r.get('steps', '-'), r.get('first_step_s', NAN), r.get('wall_s', NAN),
             r.get('cpu_s', NAN), r.get('peak_rss_mb', NAN), r.get('run_peak_rss_mb', NAN) - r.get('loaded_rss_mb', NAN)]
            + ([r['error']] if 'error' in r else []) for r in r2['sizes']]
    print(table(f'2. Growth with size ({a.optimizer}; a fresh process per size; RSS includes the TF runtime and the model)',
                ['size (HxW)', 'steps', 'first step s', 'steady wall s', 'steady CPU s', 'peak RSS MB', 'run peak - model MB'], rows))
    b = r2['baseline']
    print(f"   baseline process (model built, one 64 px forward pass): peak RSS {b.get('load_peak_rss_mb', NAN):.0f} MB, "
          f"RSS afterwards {b.get('loaded_rss_mb', NAN):.0f} MB", flush=True)

    r3 = bench_converge(csize, at_eval, csteps, a.backbone)
    rows = [[name, v['target'], v['lbfgs_steps'], v['lbfgs_s'], v['adam_steps'] or f">{r3['adam_steps_run']}", v['adam_s'],
             v['adam_s'] / v['lbfgs_s']] for name, v in r3['targets'].items()]
    print(table(f'3. Time to reach the same total loss at {csize} px (optimisation seconds, set-up excluded; '
                f'Adam stops at the target or after {csteps} steps)',
                ['target', 'loss', 'L-BFGS evals', 'L-BFGS s', 'Adam steps', 'Adam s', 'Adam/L-BFGS'], rows))
    m['load_avg_at_end'] = [round(v, 2) for v in os.getloadavg()]
    print(f"\nLoad average at the end: {m['load_avg_at_end']} (1/5/15 min; above {m['cores']}: other jobs shared the CPU)")

    if a.json:
        Path(a.json).write_text(json.dumps({'machine': m, 'args': vars(a), 'per_step': r1, 'sizes': r2, 'converge': r3}, indent=1))
        print(f'Figures written to {a.json}')


if __name__ == '__main__':
    main()
