#!/usr/bin/env python
"""What `--runtime auto` buys a user: `nst_nb PHOTO --model NET` timed as a user runs it, each runtime in a fresh process.

    python benchmarks/bench_runtime.py [--model course] [--size 256] [--repeat 3] [--json FILE]

Each run is `nst_nb images/content/chelsea.jpg --model NET --style mosaic --size S -q` in a process of its own, timed
from outside (Python's start and TensorFlow's import included, as `bench_default.py` times it), with the network's
pass as its sidecar gives it (`timings.total_s`: the first pass of a fresh process, so Keras's includes tracing the
graph and ONNX Runtime's its session). Runtimes, taking turns, each the median of `--repeat` runs:
- `keras`: `--runtime keras`;
- `auto`: the default (ONNX Runtime where installed and the network exported; a shipped network comes exported);
- `onnx, first export`: `--runtime onnx` on a copy of the network with one weight nudged by 1e-6 (`fresh_copy`), so
  that no export is at hand and the command makes one, into an empty cache: what a network of your own costs once.
The header names the CPU and its flags and the load average before and after.
"""
from __future__ import annotations
import argparse, json, statistics, tempfile
from pathlib import Path
from common import ROOT, finish, machine, print_header, run_measured, write_json

PHOTO = ROOT / 'images/content/chelsea.jpg'


def fresh_copy(model: str, folder: Path) -> Path:
    "The network with one weight nudged by 1e-6 saved as a new file: the same pictures within rounding, but no export at hand."
    import numpy as np
    from nst_nb.network import load_network, save_network
    net, info = load_network(model); w = net.get_weights(); w[0] = w[0] + np.float32(1e-6); net.set_weights(w)
    return save_network(net, folder / 'fresh.keras', info)


def one(model, size: int, runtime: list, env: dict, out: Path) -> dict:
    "One fresh process: wall seconds from outside, and the network's pass from the sidecar."
    r = run_measured(['nst_nb', str(PHOTO), '--model', str(model), '--style', 'mosaic', '--size', str(size), '-q', '--overwrite', '-o', str(out), *runtime], env)
    side = json.loads(out.with_suffix('.json').read_text())
    return {'wall_s': r['wall_s'], 'pass_s': side['timings']['total_s'], 'ran': side['sources']['runtime']}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', default='course'); p.add_argument('--size', type=int, default=256)
    p.add_argument('--repeat', type=int, default=3); p.add_argument('--json')
    a = p.parse_args(argv)
    from nst_nb.train_settings import network_info
    head = machine(network_info(a.model)['backbone'], 'float32'); print_header(head)
    d = Path(tempfile.mkdtemp(prefix='nst_runtime_')); fresh = fresh_copy(a.model, d)
    runs = {'keras': [], 'auto': [], 'onnx, first export': []}
    for i in range(max(1, a.repeat)):
        runs['keras'].append(one(a.model, a.size, ['--runtime', 'keras'], {}, d / 'k.png'))
        runs['auto'].append(one(a.model, a.size, [], {}, d / 'a.png'))
        cache = d / f'cache{i}'   # empty: the export made and timed
        runs['onnx, first export'].append(one(fresh, a.size, ['--runtime', 'onnx'], {'NST_NB_CACHE': str(cache)}, d / 'o.png'))
    res = {k: {'wall_s': statistics.median(r['wall_s'] for r in v), 'pass_s': statistics.median(r['pass_s'] for r in v), 'ran': v[0]['ran'], 'runs': v} for k, v in runs.items()}
    print(f"nst_nb --model {a.model} at {a.size} px, median of {a.repeat} fresh processes each:")
    for k, r in res.items(): print(f"  {k:20} ran {r['ran']:5}: command {r['wall_s']:5.2f} s, the network's pass {r['pass_s'] * 1e3:6.0f} ms")
    print(f"auto against keras: the pass {res['keras']['pass_s'] / res['auto']['pass_s']:.1f}x faster, the command {res['keras']['wall_s'] - res['auto']['wall_s']:+.2f} s shorter")
    finish(head)
    if a.json: write_json(a.json, {'model': a.model, 'size': a.size, 'repeat': a.repeat, 'runtimes': res}, head)


if __name__ == '__main__':
    main()
