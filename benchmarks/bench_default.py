#!/usr/bin/env python
"""How long a new user waits: the default run, timed as a user runs it, against the single-scale default of 0.1.0.

    python benchmarks/bench_default.py                    # float32 with oneDNN held to AVX2 (a laptop), then this CPU's 'auto'
    python benchmarks/bench_default.py --modes avx2       # only the laptop case
    python benchmarks/bench_default.py --old-steps 30     # quicker: extrapolate the old default from 30 evaluations

Every run is a fresh process started the way a user starts it, timed from outside (Python start, the TensorFlow
import, loading the network and the pictures included):
- `cli 256`: `nst_nb CONTENT STYLE --size 256 -q -o OUT` (the issue's "a finished picture in at most 60 s");
- `quick start`: the README's Python quick start (`transfer(..., size=256, backbone='vgg16-hed')` then `save`);
- `new 512`: `nst_nb ... --size 512`, today's default at 512 px;
- `old 400`: the default of nst_nb 0.1.0 at its default size: one scale of 200 L-BFGS evaluations at 400 px, Gram
  matrices with equal layer weights, content at `block5_conv2` with weight 1 (`nst_nb.settings.V0_1`, turned into
  flags by `nst_nb.cli.settings_argv`). By default it runs all 200 evaluations; with `--old-steps N` below 200 it runs N and the time of 200 is
  its set-up plus 200 times the mean seconds of the evaluations after the first, which understates it (later
  evaluations cost more as L-BFGS's history fills: 0.42 s for the first 30 against 0.45 s over 200 in bfloat16); the
  table says which.

`--modes avx2` sets `ONEDNN_MAX_CPU_ISA=AVX2` in the children, so oneDNN uses only what a laptop CPU has and
`precision='auto'` resolves to float32, as it does there; `native` leaves the CPU as it is. The header names the CPU and
its flags and the load average before and after: a load above the core count means the figures are inflated. Each run's
peak memory is its process's own (`common.run_measured`).
"""
from __future__ import annotations
import argparse, json, sys, tempfile
from pathlib import Path
from nst_nb.cli import settings_argv
from nst_nb.settings import Settings, V0_1
from common import ROOT, finish, machine, print_header, run_measured, verdict, write_json

CONTENT, STYLE = ROOT / 'images/content/chelsea.jpg', ROOT / 'images/style/brush_strokes.jpg'
OLD = settings_argv(Settings(**{k: v for k, v in V0_1.items() if k != 'iterations'}))   # 0.1.0's default (steps per run)
MODES = {'avx2': {'ONEDNN_MAX_CPU_ISA': 'AVX2'}, 'native': {}}
QUICK_START = ("from nst_nb.transfer import transfer\n"
               "result = transfer({c!r}, {s!r}, size=256, backbone='vgg16-hed', progress=False)\n"
               "result.save({o!r})\n")


def sidecar(png: Path) -> dict:
    "The JSON sidecar written beside a result."
    return json.loads(png.with_suffix('.json').read_text())


def cli(out: Path, name: str, env: dict, *flags: str) -> dict:
    "One `nst_nb` run with the benchmark's pictures: wall seconds and peak memory from outside, and what its sidecar says."
    png = out / f'{name}.png'
    p = run_measured([str(Path(sys.executable).with_name('nst_nb')), str(CONTENT), str(STYLE), '-q', '--overwrite', '--backbone', 'vgg16-hed',
                      '-o', str(png), *flags], env)
    sc = sidecar(png)
    hist = sc['history']
    return {'wall_s': p['wall_s'], 'peak_mb': p['peak_mb'], 'steps': len(hist), 'precision': sc['settings']['precision'], 'loss': sc['best_loss'],
            'scales': sc['timings'].get('scales'), 'setup_s': sc['timings']['setup_s'], 'run_s': sc['timings']['total_s'],
            'step_times': [r['time'] for r in hist], 'png': str(png)}


def old_default(out: Path, env: dict, steps: int) -> dict:
    "0.1.0's default at 400 px: measured to the end (steps=200) or extrapolated from `steps` evaluations."
    r = cli(out, f'old400_{steps}', env, '--size', '400', *OLD, '--iterations', str(steps))
    if steps >= 200: return {**r, 'how': 'measured'}
    t = r['step_times']                       # seconds from the run's start after each evaluation
    per = (t[-1] - t[0]) / (len(t) - 1)       # steady seconds per evaluation (the first one compiles)
    start = r['wall_s'] - r['run_s']          # process start, import, network
    return {**r, 'wall_s': start + t[0] + 199 * per, 'measured_wall_s': r['wall_s'], 'per_step_s': per,
            'how': f'{steps} evaluations measured, 200 extrapolated'}


def run_mode(mode: str, out: Path, old_steps: int) -> dict:
    "Every timing of one mode."
    env, res = MODES[mode], {}
    res['cli 256'] = cli(out, f'{mode}_cli256', env, '--size', '256')
    q = out / f'{mode}_quick.png'
    p = run_measured([sys.executable, '-c', QUICK_START.format(c=str(CONTENT), s=str(STYLE), o=str(q))], env)
    res['quick start'] = {'wall_s': p['wall_s'], 'peak_mb': p['peak_mb'], 'precision': sidecar(q)['settings']['precision'], 'png': str(q)}
    res['new 512'] = cli(out, f'{mode}_new512', env, '--size', '512')
    res['old 400'] = old_default(out, env, old_steps)
    return res


def report(mode: str, res: dict) -> list[str]:
    "The table and the targets of one mode."
    lines = [f"\n{mode}: {'oneDNN held to AVX2' if mode == 'avx2' else 'this CPU as it is'}, precision "
             f"{res['cli 256']['precision']}",
             f"{'run':12s} {'wall s':>8s} {'peak MB':>8s} {'steps':>6s} {'scales':24s} how"]
    for k, r in res.items():
        lines.append(f"{k:12s} {r['wall_s']:8.1f} {r['peak_mb']:8.0f} {r.get('steps', ''):>6} {str(r.get('scales', '')):24s} "
                     f"{r.get('how', 'measured')}")
    ratio = res['new 512']['wall_s'] / res['old 400']['wall_s']
    lines += ['targets:',
              f"  new default at 512 px / old default at 400 px: {ratio:.3f} (target <= 1/3 = 0.333): {verdict(ratio <= 1 / 3)}",
              f"  nst_nb --size 256: {res['cli 256']['wall_s']:.1f} s (target <= 60 s): {verdict(res['cli 256']['wall_s'] <= 60)}",
              f"  README quick start: {res['quick start']['wall_s']:.1f} s (target < 60 s): {verdict(res['quick start']['wall_s'] < 60)}"]
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--modes', nargs='+', choices=list(MODES), default=list(MODES))
    p.add_argument('--old-steps', type=int, default=200, help='evaluations of the old default actually run (default 200: all; fewer are extrapolated, an underestimate)')
    p.add_argument('--out', default=None, help='folder for the pictures (default: a temporary folder)')
    p.add_argument('--json', help='write every figure here')
    a = p.parse_args()
    if not 2 <= a.old_steps <= 200: p.error('--old-steps must be between 2 and 200')
    out = Path(a.out or tempfile.mkdtemp(prefix='nst_bench_default_')); out.mkdir(parents=True, exist_ok=True)
    head = machine('vgg16-hed', cpu_as='line', pictures=[CONTENT.name, STYLE.name])   # 'cpu': the CPU in one line (chapter 17)
    print_header(head)
    results, lines = {}, []
    for m in a.modes:
        results[m] = run_mode(m, out, a.old_steps)
        lines += report(m, results[m]); print('\n'.join(report(m, results[m])), flush=True)
    finish(head); print(f'pictures in {out}')
    if a.json: write_json(a.json, {'summary': lines, 'results': results}, head)


if __name__ == '__main__':
    main()
