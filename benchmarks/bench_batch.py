"""Batch runs, local against Ray: a 4 × 2 batch (4 photos, 2 styles) at 128 px, run by the local runner (one pair
after another in this process, TensorFlow's default threads) and on a local Ray cluster with 2 workers of 1 CPU
each (`ray_cpus=1`), cold (the cluster's start and each worker's TensorFlow import included) and warm (the same
workers again). Prints wall and CPU seconds (this process, and for Ray its cluster's processes too), the mean
seconds of one pair, peak memory, whether the pictures are the same, the machine header (`common.machine`: the CPU
and its flags, threads, versions) and the load average before and after.

    python benchmarks/bench_batch.py                 # about 2 minutes on 2 cores
    python benchmarks/bench_batch.py --iterations 40 --size 128 --workers 2 --json /tmp/batch.json

A standalone script, not a test: it asserts nothing about timings."""
import argparse, os, shutil, tempfile
from pathlib import Path

os.environ.setdefault('NST_NB_BACKBONE', 'vgg16-hed')      # the offline backbone
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import NAN, ROOT, finish, machine, peak_mb, print_header, proc_status_mb, stopwatch, write_json   # noqa: E402

CONTENTS = ['chelsea.jpg', 'rocket.jpg', 'coffee.jpg', 'astronaut.jpg']
STYLES = ['waves.jpg', 'brick.jpg']


def tree_cpu() -> float:
    "CPU seconds of this process's descendants still running (the local Ray cluster: raylet, GCS, workers)."
    import psutil
    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try: t = p.cpu_times(); total += t.user + t.system
        except psutil.Error: pass
    return total


def tree_peak_mb() -> float:
    "The largest peak RSS in MB (`VmHWM`) among this process's descendants still running (the Ray cluster's processes)."
    import psutil
    peaks = [proc_status_mb('VmHWM', p.pid) for p in psutil.Process().children(recursive=True)]
    return max((v for v in peaks if v == v), default=NAN)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--iterations', type=int, default=20)
    ap.add_argument('--workers', type=int, default=2, help='Ray workers of 1 CPU each (the cluster has this many CPUs)')
    ap.add_argument('--json', help='also write the figures to this JSON file')
    a = ap.parse_args()
    import numpy as np
    from PIL import Image
    import ray
    import nst_nb
    from nst_nb.batch import run_batch
    head = machine(os.environ['NST_NB_BACKBONE'], ray=ray.__version__)
    print_header(head)
    print(f'Ray {ray.__version__}; {len(CONTENTS)} x {len(STYLES)} pairs at {a.size} px, {a.iterations} steps each', flush=True)
    tmp = Path(tempfile.mkdtemp(prefix='bench_batch_'))
    contents, styles = [ROOT / 'images' / 'content' / o for o in CONTENTS], [ROOT / 'images' / 'style' / o for o in STYLES]
    kw = dict(size=a.size, iterations=a.iterations, backbone=os.environ['NST_NB_BACKBONE'], progress=False)
    rows = []
    def row(name, wall, cpu, b, peak, note=''):
        done = [p.seconds for p in b.pairs if p.status == 'done']
        rows.append((name, wall, cpu, sum(done) / max(1, len(done)), b.count('done'), peak, note))
    try:
        run_batch(contents[:1], styles[:1], tmp / 'warmup', **dict(kw, iterations=1))   # TensorFlow's start and the network, not timed
        with stopwatch() as t: local = run_batch(contents, styles, tmp / 'local', **kw)
        row('local (this process)', t.wall_s, t.cpu_s, local, peak_mb())

        with stopwatch() as t:
            with stopwatch() as start:
                ray.init(num_cpus=a.workers, include_dashboard=False, log_to_driver=False, logging_level='WARNING',
                         runtime_env={'env_vars': {'TF_CPP_MIN_LOG_LEVEL': '2', 'PYTHONPATH': os.pathsep.join(
                             [str(Path(nst_nb.__file__).resolve().parent.parent), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep)}})
            with stopwatch() as batch: cold = run_batch(contents, styles, tmp / 'ray_cold', executor='ray', ray_cpus=1, **kw)
        row(f'Ray cold, {a.workers} x 1 CPU', t.wall_s, t.cpu_s + tree_cpu(), cold, tree_peak_mb(),
            f'cluster start {start.wall_s:.1f} s, batch {batch.wall_s:.1f} s')
        k0 = tree_cpu()
        with stopwatch() as t: warm = run_batch(contents, styles, tmp / 'ray_warm', executor='ray', ray_cpus=1, **kw)
        row(f'Ray warm, {a.workers} x 1 CPU', t.wall_s, t.cpu_s + tree_cpu() - k0, warm, tree_peak_mb(), 'the same workers again')
        px = lambda p: np.asarray(Image.open(p.image)).astype(int)
        diff = [np.abs(px(p) - px(q)) for p, q in zip(local.pairs, warm.pairs) if p.status == 'done']
        same = sum(d.any() for d in diff), max(d.max() for d in diff), max(d.mean() for d in diff)
    finally:
        if ray.is_initialized(): ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'\n{"runner":26} {"wall s":>7} {"CPU s":>7} {"s/pair":>7} {"done":>5} {"peak MB":>8}  note')
    for name, wall, cpu, per, n, peak, note in rows: print(f'{name:26} {wall:7.1f} {cpu:7.1f} {per:7.2f} {n:5d} {peak:8.0f}  {note}')
    print(f'\npictures, local against Ray: {same[0]} of {len(diff)} differ, by at most {same[1]} levels, {same[2]:.3f} on average at most '
          '(the local run sums over all the cores\' threads, a task over 1: float32 rounding)')
    print('s/pair: the mean seconds of one pair as its runner timed it (for Ray, inside the task: 1 thread).')
    print('CPU s: this process, plus for Ray the cluster\'s processes (raylet, GCS, workers).')
    print('peak MB: this process\'s peak RSS (TensorFlow and the network included); for Ray the largest of its cluster\'s processes.')
    finish(head)
    if a.json:
        keys = ('runner', 'wall_s', 'cpu_s', 's_per_pair', 'done', 'peak_mb', 'note')
        write_json(a.json, {'args': vars(a), 'rows': [dict(zip(keys, r)) for r in rows],
                            'pictures': {'differ': int(same[0]), 'of': len(diff), 'max_levels': int(same[1]), 'max_mean_levels': float(same[2])}}, head)


if __name__ == '__main__': main()
