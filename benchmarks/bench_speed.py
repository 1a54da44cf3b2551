#!/usr/bin/env python
"""Speed and memory benchmark of the nst_nb engine (`nst_nb.transfer.transfer`), with the issue's targets.

Sections:

1. seconds per optimisation step at one size (default 400 px) for each engine optimiser and for a
   deliberately naive eager loop, and the ratio naive / engine (target: >= 6x);
2. seconds per step and peak memory (a fresh child process per size) for 256 ... 1024 px, with the
   engine's own estimate (target: peak at 768 px under 3 GB);
3. loss against seconds for float32 and bfloat16, Adam and L-BFGS (the docs plot these curves);
4. quality per second: the wall time for the default settings to reach the loss that 500 naive SGD
   steps reach, against the naive loop's time for those steps (target: <= 1/10);
5. thread counts (a fresh child process each);
6. multi-scale against one scale at a large size: the loss each reaches at the full size, and when.

Run `python benchmarks/bench_speed.py --quick` for a smoke run (a few minutes), or without `--quick`
for the full benchmark. See benchmarks/README.md for what each figure means. Figures are
measurements, not assertions: nothing here fails when the machine is slow.
"""
from __future__ import annotations
import argparse, json, os, sys, time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import (NAN, ROOT, clock, finish, last_json, machine, maxrss_mb, print_header, proc_status_mb, reset_peak_rss,
                    run_measured, stopwatch, verdict, write_json)

CONTENT = ROOT / 'images/content/chelsea.jpg'
STYLE = ROOT / 'images/style/brush_strokes.jpg'
WARMUP = 1  # steps left out of the steady-state figures (the first one traces and compiles the graph)


def steady(stamps: list[tuple[float, float]], warmup: int = WARMUP) -> dict:
    "Mean wall and CPU seconds per step from the clocks read after each step, leaving out the first `warmup` steps."
    n = len(stamps) - 1 - warmup
    if n < 1: return {'wall_s': NAN, 'cpu_s': NAN}
    return {'wall_s': (stamps[-1][0] - stamps[warmup][0]) / n, 'cpu_s': (stamps[-1][1] - stamps[warmup][1]) / n}


ENGINE_BASE = dict(start_size=None, style_loss='gram', style_layer_weights=[1.0] * 5, content_weight=1.0)   # one scale, Gram, equal weights, content x 1: what the naive loop computes


def engine_run(size: int, steps: int, optimizer: str, backbone: str, pictures: tuple | None = None, **kwargs):
    "One engine run with the benchmark's content and style pictures, or `pictures` = (content, style) (`kwargs` go to `transfer`)."
    from nst_nb.transfer import transfer
    content, style = pictures or (CONTENT, STYLE)
    return transfer(content, style, size=size, iterations=steps, optimizer=optimizer, backbone=backbone, progress=False, **{**ENGINE_BASE, **kwargs})


def timed_engine_run(size: int, steps: int, optimizer: str, backbone: str, **kwargs) -> dict:
    "An engine run with the clocks read after every step (from its callback); its figures as a dict."
    stamps = []
    r = engine_run(size, steps, optimizer, backbone, every=1, callback=lambda step: stamps.append(clock()), **kwargs)
    return {'steps': len(r.history), 'first_step_s': r.history[0]['time'] - r.timings['setup_s'],
            'engine_per_step_s': r.timings['per_step_s'], 'setup_s': r.timings['setup_s'],
            **steady(stamps), 'width': r.image.size[0]}


def same_shape_pictures(size: int) -> tuple:
    "The content picture at height `size` and the style picture resized to the same shape, as the tutorials' batch needs."
    from nst_nb.images import load_image
    content = load_image(CONTENT, size)
    return content, load_image(STYLE).resize(content.size)


def naive_loop(size: int, steps: int, backbone: str, optimizer: str = 'adam') -> dict:
    """The tutorials' loop: eager, the full network, three images in one batch, Gram targets every step.

    The loss, the optimiser (`keras_optimizer(optimizer)`: Adam, or SGD with the Keras example's momentum and
    decay) and the clipping are the engine's, in float32, so the arithmetic is the same as the engine's with
    precision='float32'; only the way it is run differs. Returns the figures and the loss after every step."""
    import numpy as np, tensorflow as tf, keras
    from nst_nb.features import load_backbone, preprocess, CONTENT_LAYERS, STYLE_LAYERS
    from nst_nb.optimisers import keras_optimizer
    vgg = load_backbone(backbone)
    net = keras.Model(vgg.input, {l.name: l.output for l in vgg.layers[1:]})  # every layer, up to block5_pool
    content, style = same_shape_pictures(size)
    base, style = preprocess(content), preprocess(style)
    x, opt = tf.Variable(base), keras_optimizer(optimizer, None, base.shape[1] * base.shape[2])
    lo = -np.array([103.939, 116.779, 123.68], np.float32)

    def gram(f):
        f = tf.reshape(f, (-1, f.shape[-1]))
        return tf.matmul(f, f, transpose_a=True) / tf.cast(tf.shape(f)[0], tf.float32)

    t0, stamps, losses = clock(), [], []
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
        losses.append(float(loss))  # also waits for the step to finish, as printing the loss would
        stamps.append(clock())
    return {'steps': steps, 'losses': losses, 'first_step_s': stamps[0][0] - t0[0], 'engine_per_step_s': (stamps[-1][0] - t0[0]) / steps,
            'setup_s': 0.0, **steady(stamps), 'width': content.size[0]}


def bench_per_step(size: int, steps: int, naive_steps: int, backbone: str) -> dict:
    "Section 1: seconds per step for each engine optimiser and for the naive loop, in this process."
    from nst_nb.settings import OPTIMIZERS
    engine_run(64, 2, 'adam', backbone)  # build the backbone once, so that no timed run pays for it
    out = {opt: timed_engine_run(size, steps, opt, backbone) for opt in OPTIMIZERS}
    out['naive'] = naive_loop(size, naive_steps, backbone)
    return out


def child(size: int, steps: int, optimizer: str, backbone: str, threads: int | None = None, precision: str = 'auto') -> dict:
    """Run in a fresh process: build the model, then one timed engine run at `size` (none when `steps` is 0).

    Peak memory is `VmHWM`, this process's own peak RSS (`ru_maxrss_mb` is `getrusage`'s, which on Linux also
    counts the peak of whatever started the process: `common.run_measured` starts it from a small launcher, so
    that is a few MB, not the ~1 GB of the benchmark's main process). Loading the weights has a transient peak of
    its own, so the counter is reset once the model is built and the run's peak is read separately."""
    from nst_nb.features import feature_extractor, preprocess, CONTENT_LAYERS, STYLE_LAYERS
    from nst_nb.images import load_image
    from nst_nb.hardware import set_threads
    from nst_nb.runtime import estimate_memory, lbfgs_corrections
    from nst_nb.settings import Settings, validate
    if threads is not None: set_threads(threads)
    s = validate(Settings(size=size, optimizer=optimizer, backbone=backbone, precision=precision))
    ext = feature_extractor(STYLE_LAYERS + CONTENT_LAYERS, backbone, precision=s.precision)  # cached: the engine reuses it
    ext(preprocess(load_image(CONTENT, 64)))
    out = {'size': size, 'load_peak_rss_mb': proc_status_mb('VmHWM'), 'loaded_rss_mb': proc_status_mb('VmRSS')}
    if steps == 0: return {**out, 'ru_maxrss_mb': maxrss_mb()}
    reset = reset_peak_rss()
    out.update(timed_engine_run(size, steps, optimizer, backbone, precision=s.precision))
    run_peak = proc_status_mb('VmHWM')
    h, w = size, out['width']
    return {**out, 'peak_rss_mb': max(out['load_peak_rss_mb'], run_peak), 'run_peak_rss_mb': run_peak if reset else NAN,
            'run_over_model_mb': run_peak - out['loaded_rss_mb'] if reset else NAN,
            'estimate_mb': estimate_memory(h, w, s) / 2**20, 'precision': s.precision,
            'lbfgs_corrections': lbfgs_corrections(h * w * 3, s) if optimizer == 'lbfgs' else None,
            'ru_maxrss_mb': maxrss_mb()}


def run_child(size: int, steps: int, optimizer: str, backbone: str, threads: int | None = None, precision: str = 'auto') -> dict:
    "`child(...)` in a fresh Python process; its result is the last line it prints (an error: the last line of its stderr)."
    cmd = [sys.executable, __file__, '--child-size', str(size), '--steps', str(steps), '--optimizer', optimizer, '--backbone', backbone,
           '--precision', precision]
    if threads is not None: cmd += ['--child-threads', str(threads)]
    p = run_measured(cmd, check=False)
    if p['returncode']: return {'size': size, 'error': (p['stderr'].strip().splitlines() or ['?'])[-1]}
    return last_json(p['stdout'])


def bench_sizes(sizes: list[int], steps: int, optimizer: str, backbone: str, precision: str = 'auto') -> dict:
    "Section 2: seconds per step and peak RSS per size, one child process each, plus a baseline child."
    return {'baseline': run_child(64, 0, optimizer, backbone, precision=precision),
            'sizes': [run_child(n, steps, optimizer, backbone, precision=precision) for n in sizes]}


def time_to_reach(history: list[dict], target: float) -> tuple[float, int]:
    "Seconds since the run started (set-up included) and steps until the total loss first was <= `target`; (nan, 0) if never."
    return next(((h['time'], i + 1) for i, h in enumerate(history) if h['total'] <= target), (NAN, 0))


def stop_after(seconds: float):
    "An engine callback that ends the run once `seconds` have passed since its first call's run started."
    t0 = time.perf_counter()
    return lambda step: False if time.perf_counter() - t0 > seconds else None


def bench_curves(size: int, seconds: float, backbone: str) -> dict:
    """Section 3: loss against seconds for float32 and bfloat16, Adam and L-BFGS, each run for about `seconds`
    (set-up included). Also the seconds each needed to reach the highest of the four final losses."""
    runs = {}
    for precision in ('float32', 'bfloat16'):
        for opt in ('lbfgs', 'adam'):
            r = engine_run(size, 100_000, opt, backbone, precision=precision, every=1, callback=stop_after(seconds))
            runs[f'{opt} {precision}'] = {'optimizer': opt, 'precision': precision, 'setup_s': r.timings['setup_s'],
                                          'steps': len(r.history), 'width': r.image.size[0],
                                          'time': [round(h['time'], 3) for h in r.history], 'total': [h['total'] for h in r.history]}
    target = max(v['total'][-1] for v in runs.values())
    for v in runs.values():
        v['final'] = v['total'][-1]
        v['to_target_s'], v['to_target_steps'] = time_to_reach([{'time': t, 'total': l} for t, l in zip(v['time'], v['total'])], target)
    return {'size': size, 'seconds': seconds, 'target': target, 'runs': runs}


def bench_quality(size: int, naive_steps: int, check_steps: int, backbone: str, naive_full: bool) -> dict:
    """Section 4: how long the default settings take to reach the loss of `naive_steps` naive SGD steps.

    The naive loop runs `check_steps` steps (or all of them with `naive_full`) for its time per step. Its
    arithmetic is the engine's SGD in float32, so unless `naive_full`, the engine with precision='float32' and
    optimizer='sgd' runs the `naive_steps` steps for the loss they reach; the first `check_steps` losses of the two
    are compared to show they are the same computation. Then the default settings (L-BFGS, precision 'auto')
    run until they reach that loss, timed from the call (set-up included); Adam with the same precision too."""
    pictures = same_shape_pictures(size)
    nv = naive_loop(size, naive_steps if naive_full else check_steps, backbone, optimizer='sgd')
    naive_s = nv['first_step_s'] + (naive_steps - 1) * nv['wall_s']
    if naive_full: target = nv['losses'][-1]
    else:
        sgd = engine_run(size, naive_steps, 'sgd', backbone, pictures=pictures, precision='float32')
        target, ref = sgd.history[-1]['total'], [h['total'] for h in sgd.history[:check_steps]]
    diff = NAN if naive_full else max(abs(a - b) / abs(b) for a, b in zip(nv['losses'][:check_steps], ref))
    out = {'size': size, 'width': nv['width'], 'naive_steps': naive_steps, 'naive_full': naive_full, 'target': target,
           'naive_first_step_s': nv['first_step_s'], 'naive_step_s': nv['wall_s'], 'naive_s': naive_s,
           'check_steps': check_steps, 'check_max_rel_diff': diff, 'runs': {}}
    for opt in ('lbfgs', 'adam'):
        with stopwatch() as t:
            r = engine_run(size, 2000, opt, backbone, pictures=pictures, every=1,
                           callback=lambda st: False if st.losses['total'] <= target else None)
        wall = t.wall_s
        reached = r.history[-1]['total'] <= target
        out['runs'][opt] = {'precision': r.settings.precision, 'steps': len(r.history), 'reached': reached,
                            'seconds': wall if reached else NAN, 'final': r.history[-1]['total'],
                            'ratio': (wall / naive_s) if reached else NAN}
    return out


def bench_threads(size: int, steps: int, counts: list[int], backbone: str) -> dict:
    "Section 5: Adam's seconds per step at `size` with TensorFlow's default threads and with each count, a fresh process each."
    return {'size': size, 'runs': [{'threads': t or 'default', **run_child(size, steps, 'adam', backbone, threads=t)}
                                   for t in [None] + counts]}


def bench_multiscale(size: int, scales: int, iterations: int, single_iterations: int, backbone: str) -> dict:
    """Section 6: L-BFGS coarse-to-fine (`scales` scales, `iterations` each) against one scale at `size`
    (`single_iterations`), each timed from the call; the loss at the full size is what counts."""
    out = {'size': size, 'runs': {}}
    for name, kw in ((f'{scales} scales x {iterations}', dict(start_size=round(size / 2 ** (scales - 1)), scale_step=2.0, iterations=[iterations])),
                     (f'1 scale x {single_iterations}', dict(start_size=None, iterations=[single_iterations]))):
        with stopwatch() as t: r = engine_run(size, kw.pop('iterations'), 'lbfgs', backbone, **kw)
        full = [h for h in r.history if h['size'] == size]
        out['runs'][name] = {'seconds': t.wall_s, 'steps': len(r.history), 'full_size_steps': len(full),
                             'full_size_start_s': full[0]['time'], 'full_size_first': full[0]['total'], 'best': r.best_loss,
                             'time': [round(h['time'], 3) for h in full], 'total': [h['total'] for h in full]}
    return out


def table(title: str, header: list[str], rows: list[list]) -> str:
    "A plain-text table with right-aligned columns."
    cells = [header] + [[f'{v:.3f}' if isinstance(v, float) else str(v) for v in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: '  '.join(v.rjust(n) for v, n in zip(r, w))
    return '\n'.join([f'\n{title}', line(header), '  '.join('-' * n for n in w)] + [line(r) for r in cells[1:]])


def main(argv=None):
    "Parse the arguments, run the sections, print the tables and targets (and dump JSON if asked)."
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='small smoke version (a few minutes)')
    p.add_argument('--sections', type=int, nargs='+', default=[1, 2, 3, 4, 5, 6], help='which sections to run (default: all)')
    p.add_argument('--size', type=int, help='height for section 1 (default 400; quick 128)')
    p.add_argument('--sizes', type=int, nargs='+', help='heights for section 2 (default 256 400 512 768 1024; quick 64 128)')
    p.add_argument('--steps', type=int, help='steps per engine run in section 1, the first one untimed (default 8; quick 4)')
    p.add_argument('--size-steps', type=int, help='steps per run in section 2: more than L-BFGS keeps pairs, so its memory is all in use (default 25; quick 8)')
    p.add_argument('--naive-steps', type=int, help='steps of the naive loop in section 1, the first one untimed (default 5; quick 3)')
    p.add_argument('--curve-size', type=int, help='height for section 3 (default 256; quick 64)')
    p.add_argument('--curve-seconds', type=float, help='seconds per run in section 3 (default 60; quick 10)')
    p.add_argument('--quality-size', type=int, help='height for section 4 (default 256; quick 64)')
    p.add_argument('--quality-steps', type=int, help='naive SGD steps whose loss section 4 aims for (default 500; quick 60)')
    p.add_argument('--check-steps', type=int, help='naive steps run in section 4 to time it and check it against the engine (default 10; quick 5)')
    p.add_argument('--naive-full', action='store_true', help='section 4: run all --quality-steps of the naive loop (slow: about 30 min at 256 px on 2 cores)')
    p.add_argument('--threads', type=int, nargs='+', help='thread counts for section 5 besides the default (default 1 and 2 x cores; quick 1)')
    p.add_argument('--multi-size', type=int, help='height for section 6 (default 768; quick 128)')
    p.add_argument('--optimizer', default='lbfgs', choices=('lbfgs', 'adam', 'sgd'), help='optimiser for section 2 (default lbfgs)')
    p.add_argument('--backbone', default='vgg16-hed', help="backbone (default 'vgg16-hed', offline)")
    p.add_argument('--precision', default='auto', choices=('auto', 'float32', 'bfloat16'), help="engine precision for section 2 (default 'auto')")
    p.add_argument('--json', metavar='OUT', help='also write the figures to this JSON file')
    p.add_argument('--child-size', type=int, help=argparse.SUPPRESS)  # internal: run one size in this process
    p.add_argument('--child-threads', type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    q = a.quick
    steps = a.steps if a.steps is not None else (4 if q else 8)
    if a.child_size:
        print(json.dumps(child(a.child_size, steps, a.optimizer, a.backbone, a.child_threads, a.precision))); return
    size, sizes = a.size or (128 if q else 400), a.sizes or ([64, 128] if q else [256, 400, 512, 768, 1024])
    size_steps, naive_steps = a.size_steps or (8 if q else 25), a.naive_steps or (3 if q else 5)
    csize, cseconds = a.curve_size or (64 if q else 256), a.curve_seconds or (10 if q else 60)
    qsize, qsteps, check = a.quality_size or (64 if q else 256), a.quality_steps or (60 if q else 500), a.check_steps or (5 if q else 10)
    counts = a.threads or ([1] if q else [1, 2 * os.cpu_count()])

    m = machine(a.backbone, a.precision)              # 'cpu': the model name, as chapter 19 reads it
    m['load_avg_1_5_15'] = m['load_before']           # the names results.json has always had
    print_header(m)
    print(f'Content {CONTENT.name}, style {STYLE.name}' + ('  [--quick]' if q else ''), flush=True)
    out, targets = {'args': vars(a)}, []

    if 1 in a.sections:
        r1 = out['per_step'] = bench_per_step(size, steps, naive_steps, a.backbone)
        nv = r1['naive']
        rows = [[k, v['steps'], v['first_step_s'], v['engine_per_step_s'], v['wall_s'], v['cpu_s'],
                 nv['wall_s'] / v['wall_s'], nv['cpu_s'] / v['cpu_s']] for k, v in r1.items()]
        print(table(f"1. Seconds per step at {size}x{nv['width']} px (steady: mean after the first step; engine: precision "
                    f"'auto' = {m['precision_auto']}; naive: float32 eager, 3 images through the full net, Adam)",
                    ['optimiser', 'steps', 'first step s', 'per_step_s', 'steady wall s', 'steady CPU s',
                     'naive/this wall', 'naive/this CPU'], rows), flush=True)
        best = max(nv['wall_s'] / v['wall_s'] for k, v in r1.items() if k != 'naive')
        worst = min(nv['wall_s'] / v['wall_s'] for k, v in r1.items() if k != 'naive')
        targets.append(f"per step at {size} px: engine {worst:.1f}x (slowest optimiser) to {best:.1f}x faster than the naive loop "
                       f"(target >= 6x): {verdict(worst >= 6)}")

    if 2 in a.sections:
        r2 = out['sizes'] = bench_sizes(sizes, size_steps, a.optimizer, a.backbone, a.precision)
        rows = [[f"{r['size']}x{r.get('width', '?')}", r.get('steps', '-'), r.get('lbfgs_corrections') or '-', r.get('first_step_s', NAN),
                 r.get('wall_s', NAN), r.get('cpu_s', NAN), r.get('peak_rss_mb', NAN), r.get('run_over_model_mb', NAN),
                 r.get('estimate_mb', NAN)] + ([r['error']] if 'error' in r else []) for r in r2['sizes']]
        prec = m['precision_auto'] if a.precision == 'auto' else a.precision
        print(table(f'2. Growth with size ({a.optimizer}, precision {prec}; a fresh process per size; '
                    'peak RSS includes the TF runtime and the model)',
                    ['size (HxW)', 'steps', 'L-BFGS pairs', 'first step s', 'steady wall s', 'steady CPU s', 'peak RSS MB',
                     'run peak - model MB', 'estimate MB'], rows))
        b = r2['baseline']
        print(f"   baseline process (model built, one 64 px forward pass): peak RSS {b.get('load_peak_rss_mb', NAN):.0f} MB, "
              f"RSS afterwards {b.get('loaded_rss_mb', NAN):.0f} MB", flush=True)
        r768 = next((r for r in r2['sizes'] if r['size'] == 768 and 'error' not in r), None)
        if r768: targets.append(f"peak memory at 768 px ({a.optimizer}): {r768['peak_rss_mb'] * 2**20 / 1e9:.2f} GB in all, "
                                f"{r768['run_over_model_mb'] * 2**20 / 1e9:.2f} GB over the loaded model (target < 3 GB): "
                                f"{verdict(r768['peak_rss_mb'] * 2**20 < 3e9)} in all, {verdict(r768['run_over_model_mb'] * 2**20 < 3e9)} over the model")

    if 3 in a.sections:
        r3 = out['curves'] = bench_curves(csize, cseconds, a.backbone)
        rows = [[k, v['steps'], v['setup_s'], v['final'], v['to_target_steps'] or '-', v['to_target_s']] for k, v in r3['runs'].items()]
        print(table(f"3. Loss against seconds at {csize} px, about {cseconds:.0f} s per run (set-up included); "
                    f"'to target': the highest final loss, {r3['target']:.4g}",
                    ['run', 'steps', 'setup s', 'final loss', 'steps to target', 's to target'], rows), flush=True)

    if 4 in a.sections:
        r4 = out['quality'] = bench_quality(qsize, qsteps, check, a.backbone, a.naive_full)
        how = ('ran them all' if r4['naive_full'] else f"ran {check} for its time per step; engine SGD float32 (same arithmetic) "
               f"ran all {qsteps}; their first {check} losses agree within {r4['check_max_rel_diff']:.1e} relative")
        print(f"\n4. Quality per second at {qsize}x{r4['width']} px: the loss {qsteps} naive SGD steps reach is {r4['target']:.4g} "
              f"(naive loop: {how}).\n"
              f"   naive loop: {r4['naive_first_step_s']:.2f} s first step + {r4['naive_step_s']:.2f} s per step "
              f"= {r4['naive_s']:.0f} s for {qsteps} steps")
        rows = [[k, v['precision'], v['steps'], 'yes' if v['reached'] else f"no ({v['final']:.4g})", v['seconds'], v['ratio']]
                for k, v in r4['runs'].items()]
        print(table('   time to reach it from the call (set-up included)', ['optimiser', 'precision', 'steps', 'reached',
                    'seconds', 'this/naive'], rows), flush=True)
        lb = r4['runs']['lbfgs']
        targets.append(f"quality per second at {qsize} px: default settings reach the loss of {qsteps} naive SGD steps in "
                       f"{lb['seconds']:.1f} s = 1/{1 / lb['ratio']:.0f} of the naive loop's {r4['naive_s']:.0f} s "
                       f"(target <= 1/10): {verdict(lb['ratio'] <= 0.1)}")

    if 5 in a.sections:
        r5 = out['threads'] = bench_threads(size, steps, counts, a.backbone)
        base = r5['runs'][0].get('wall_s', NAN)
        rows = [[r['threads'], r.get('wall_s', NAN), r.get('cpu_s', NAN), r.get('wall_s', NAN) / base] + ([r['error']] if 'error' in r else [])
                for r in r5['runs']]
        print(table(f"5. Threads (TensorFlow intra-op), Adam at {size} px, a fresh process each", ['threads', 'steady wall s',
                    'steady CPU s', 'wall / default'], rows), flush=True)

    if 6 in a.sections:
        msize = a.multi_size or (128 if q else 768)
        r6 = out['multiscale'] = bench_multiscale(msize, 3, 10 if q else 30, 15 if q else 45, a.backbone)
        rows = [[k, v['steps'], v['full_size_steps'], v['full_size_start_s'], v['full_size_first'], v['best'], v['seconds']]
                for k, v in r6['runs'].items()]
        print(table(f"6. Multi-scale against one scale at {msize} px, L-BFGS (seconds from the call)",
                    ['run', 'steps', 'steps at full size', 'full size starts at s', 'loss there', 'best loss', 'seconds'], rows), flush=True)

    print('\nTargets:\n' + '\n'.join(f'  - {t}' for t in targets) + '\n')
    m['load_avg_at_end'] = finish(m)['load_after']
    if a.json:
        write_json(a.json, out, m, key='machine')
        print(f'Figures written to {a.json}')


if __name__ == '__main__':
    main()
