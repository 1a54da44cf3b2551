#!/usr/bin/env python
"""Train the networks nst_nb ships: `course` (0.5.0's: one lean network that holds the course's seven style pictures
(`images/style`), trained on the clone's photos (`images/content`) with the offline backbone `vgg16-hed`; later ones below); with
`--distil`, `course_fast`, `course` distilled (the shipped one from 0.13.0's: pass that file to `--init-from`, or the
shipped `course`, 0.31.0's, is the teacher) into a network of width 8 and four residual blocks (chapter 23c); with
`--again`, `course` trained again from its own weights with the default loss (0.13.0's `course`: `nst_nb_train
--init course`, into `benchmarks/snapshots/course_again.keras`, copied over the shipped file by `--install` once it is
done). Once installed, `course` names the new network: to make 0.13.0's again from 0.12.0's, write that one out of git
and start from it: `git show 8515799:nst_nb/networks/course.keras > course_0.12.0.keras`, then `--again --init-from
course_0.12.0.keras`. With `--steady`, 0.31.0's `course`: 0.13.0's `course` given the `subpixel` shape's last stage and trained on
17,000 steps in six runs, each from the last one's file with Adam started again (1,000, 2,000, 3,000 and 9,000
steps, then 1,000 at a tenth of the learning rate, then 1,000 more with the content weight 0.12 for 0.1), into
`benchmarks/snapshots/course_steady_STEP.keras`; start it
from 0.13.0's file: `git show 595decf:nst_nb/networks/course.keras > course_0.13.0.keras`, then `--steady
--init-from course_0.13.0.keras [--install]`. All by `nst_nb_train` as a user
would run it. It writes `nst_nb/networks/NAME.keras` (the package data), its sidecar
`NAME.json` (every setting, the loss history) and a record of the run with the machine's header in
`benchmarks/train_networks.json` (`--distil`: `benchmarks/distil_network.json`).

Interrupted (Ctrl-C), it keeps the last checkpoint; `--resume` goes on from there, to more steps if asked.

    python benchmarks/train_networks.py [--steps 1600] [--resume] [--snapshots 100 300 1000]
    python benchmarks/train_networks.py --distil [--init-from course_0.13.0.keras] [--steps 4000] [--resume]
    python benchmarks/train_networks.py --again [--init-from NET] [--steps 4000] [--resume] [--install]
    python benchmarks/train_networks.py --steady --init-from course_0.13.0.keras [--resume] [--install]
    python benchmarks/train_networks.py --strip images/gallery/network_steps.jpg   # the course's pictures of the snapshots

`--snapshots` copies the model file as it stands after those steps into `benchmarks/snapshots/` (ignored by git);
`--strip` paints two photos with every snapshot and the final network, style by style, into one JPEG.
"""
from __future__ import annotations
import argparse, json, shutil, subprocess, sys, threading, time
from pathlib import Path

from common import ROOT, finish, machine, print_header, write_json

STYLES = sorted((ROOT / 'images' / 'style').glob('*.jpg'))
OUT = ROOT / 'nst_nb' / 'networks' / 'course.keras'
SNAPS = ROOT / 'benchmarks' / 'snapshots'
FAST = ROOT / 'nst_nb' / 'networks' / 'course_fast.keras'
DISTIL_FLAGS = ['--width', '8', '--blocks', '4', '--size', '128', '--batch', '8', '--lr', '0.002', '--seed', '0', '--every', '250']
FLAGS = ['--backbone', 'vgg16-hed', '--shape', 'lean', '--width', '16', '--blocks', '5', '--size', '128', '--style-size', '256',
         '--batch', '4', '--lr', '0.002', '--content-weight', '3', '--content-layers', 'block4_conv2', '--seed', '0', '--every', '100']   # course's first recipe (0.12.0's default content term differs)
AGAIN = SNAPS / 'course_again.keras'
AGAIN_FLAGS = ['--backbone', 'vgg16-hed', '--size', '128', '--style-size', '256', '--batch', '4', '--lr', '0.002',
               '--seed', '0', '--every', '100']   # 0.13.0's course: the default loss (TRAIN_LOSS), every weight from 0.12.0's (--init)

STEADY_FLAGS = ['--backbone', 'vgg16-hed', '--size', '128', '--style-size', '256', '--batch', '4', '--seed', '0', '--every', '250']
STEADY_RUNS = [(1000, 0.002, 0.1), (2000, 0.002, 0.1), (3000, 0.002, 0.1), (9000, 0.002, 0.1), (1000, 0.0002, 0.1), (1000, 0.0002, 0.12)]   # 0.31.0's course: (steps, learning rate, content weight) of each run


def install_course(path: Path):
    "Copy a finished network and its sidecar over the shipped `course` (its ONNX file is written again by `tools/export_shipped_onnx.py`)."
    for sfx in ('.keras', '.json'): shutil.copy(path.with_suffix(sfx), ROOT / 'nst_nb' / 'networks' / f'course{sfx}')
    print(f'installed {path.name} as nst_nb/networks/course.keras; now run tools/export_shipped_onnx.py', flush=True)


def steady_commands(init: str) -> list[tuple[Path, list[str]]]:
    "The six `nst_nb_train` runs that make 0.31.0's `course` from 0.13.0's (`init`): each run's model file and command."
    runs, prev, done = [], init, 0
    for i, (steps, lr, cw) in enumerate(STEADY_RUNS):
        done += steps; out = SNAPS / f'course_steady_{done}.keras'
        shape = ['--shape', 'subpixel'] if i == 0 else []   # the first run swaps the last stage; the rest take the shape from the file
        runs.append((out, ['nst_nb_train', *map(str, STYLES), '-o', str(out), '--init', str(prev), *shape, *STEADY_FLAGS,
                           '--lr', str(lr), '--content-weight', str(cw), '--steps', str(steps)]))
        prev = out
    return runs


def steady(init: str, resume: bool, install: bool, record: Path) -> int:
    "Run `steady_commands(init)` one after the other, skipping runs whose file is finished; `install`: copy the last over `course`. Precision is `auto`: bfloat16 where the CPU has it, as the shipped runs had, else float32 (close weights, not the same)."
    from nst_nb.train_settings import network_info
    head = machine('vgg16-hed', 'auto'); print_header(head); SNAPS.mkdir(exist_ok=True)
    rows = json.loads(record.read_text())['runs'] if resume and record.exists() else []
    for out, cmd in steady_commands(str(Path(init).resolve())):   # the runs go from ROOT: an absolute start
        steps, prev = int(cmd[-1]), cmd[cmd.index('--init') + 1]
        if out.exists():
            info = network_info(out)
            if (ROOT / info['init']['model']).resolve() != Path(prev).resolve(): raise SystemExit(   # the sidecar names its start as the command gave it
               f'{out} was trained from {info["init"]["model"]}, not {prev}: move it away first')
            if info['step'] >= steps: print(f'{out.name}: finished before, kept', flush=True); continue   # a checkpoint's file says its step
        shown = [c.replace(str(ROOT) + '/', '') for c in cmd] + (['--resume'] if resume and out.exists() else [])
        print('$', ' '.join(shown), flush=True)
        t = time.perf_counter(); child = subprocess.Popen(shown, cwd=ROOT)
        try: code = child.wait()
        except KeyboardInterrupt: code = child.wait()   # the child keeps its checkpoint: --resume goes on
        rows.append({'command': shown, 'steps': steps, 'wall_s': time.perf_counter() - t, 'exit': code})
        write_json(record, {'runs': rows}, finish(head))
        if code: return code
    if install: install_course(out)
    return 0


def keep_snapshots(steps: list[int], done: threading.Event):
    "Copy the model file into SNAPS once it holds each of `steps` or more (polling; named by the step its own info gives)."
    from nst_nb.train_settings import network_info
    SNAPS.mkdir(exist_ok=True)
    for n in sorted(steps):
        while not done.is_set():
            tmp = SNAPS / '.copy.keras'
            try: shutil.copy(OUT, tmp); at = network_info(tmp)['step']   # a copy first: the file is replaced at each checkpoint
            except Exception: at = 0
            if at >= n: tmp.replace(SNAPS / f'{OUT.stem}_{at}.keras'); break
            time.sleep(10)


def strip(path: Path, photos=("chelsea", "astronaut"), side: int = 120):
    "Two photos painted by each snapshot and the final network, one row per (photo, network), one column per style."
    import numpy as np
    from PIL import Image, ImageDraw
    from nst_nb.network import load_network, stylise
    from nst_nb.images import load_image
    nets = sorted(SNAPS.glob(f'{OUT.stem}_*.keras'), key=lambda p: int(p.stem.split('_')[-1])) + [OUT]
    rows = []
    for f in nets:
        net, info = load_network(f)
        for c in photos:
            px = np.asarray(load_image(ROOT / 'images/content' / f'{c}.jpg', side))[:, :side]
            rows.append((f"{info['step']} steps" if c == photos[0] else '', np.concatenate([px] + [stylise(net, px, k) for k in range(len(info['styles']))], 1)))
    g = Image.new('RGB', (rows[0][1].shape[1] + 90, side * len(rows) + 18), 'white'); d = ImageDraw.Draw(g)
    for j, name in enumerate(['photo'] + info['styles']): d.text((90 + j * side + 4, 3), name, fill='black')
    for i, (label, row) in enumerate(rows):
        g.paste(Image.fromarray(row), (90, 18 + i * side)); d.text((4, 18 + i * side + side // 2), label, fill='black')
    g.save(path, quality=78); print(f"wrote {path}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--steps', type=int, default=1600, help='Adam steps in all (default 1600)')
    p.add_argument('--resume', action='store_true', help="go on from the last checkpoint")
    p.add_argument('--json', default=ROOT / 'benchmarks' / 'train_networks.json', help='where the record of this run goes')
    p.add_argument('--snapshots', type=int, nargs='*', default=[100, 300, 1000], help='keep the model file after these steps (default 100 300 1000)')
    p.add_argument('--strip', type=Path, help='only paint the strip of the snapshots into this JPEG (no training)')
    which = p.add_mutually_exclusive_group()
    which.add_argument('--distil', action='store_true', help='train course_fast: course distilled (default 4000 steps, no snapshots)')
    which.add_argument('--again', action='store_true', help='train course again from its weights with the default loss (default 4000 steps, no snapshots)')
    which.add_argument('--steady', action='store_true', help="0.31.0's course: --init-from (0.13.0's course) with the subpixel last stage, six runs, 17,000 steps")
    p.add_argument('--init-from', default='course', metavar='NET', help="with --again or --steady: the network to start from (default: the shipped course; 0.13.0's came from 0.12.0's); with --distil: the teacher (the shipped course_fast's was 0.13.0's course)")
    p.add_argument('--install', action='store_true', help='with --again or --steady: copy the finished network over nst_nb/networks/course.keras (and its sidecar)')
    a = p.parse_args()
    if a.install and not (a.again or a.steady): p.error('--install goes with --again or --steady')
    if a.init_from != 'course' and not (a.again or a.steady or a.distil): p.error('--init-from goes with --again, --steady or --distil')
    if a.strip: return strip(a.strip)
    if a.steady:
        if a.init_from == 'course': p.error("--steady starts from 0.13.0's lean course: write it out of git and pass it to --init-from (see the docstring)")
        return steady(a.init_from, a.resume, a.install, ROOT / 'benchmarks' / 'train_steady.json')
    global OUT
    if a.distil:
        OUT, a.snapshots = FAST, []
        if a.json == p.get_default('json'): a.json = ROOT / 'benchmarks' / 'distil_network.json'
        if a.steps == p.get_default('steps'): a.steps = 4000
    if a.again:
        OUT, a.snapshots = AGAIN, []
        if a.json == p.get_default('json'): a.json = ROOT / 'benchmarks' / 'train_again.json'
        if a.steps == p.get_default('steps'): a.steps = 4000
    head = machine('vgg16-hed', 'float32'); print_header(head)
    OUT.parent.mkdir(exist_ok=True)
    what = (['--teacher', a.init_from, '-o', str(OUT), *DISTIL_FLAGS] if a.distil else [*map(str, STYLES), '-o', str(OUT), '--init', a.init_from, *AGAIN_FLAGS] if a.again
            else [*map(str, STYLES), '-o', str(OUT), *FLAGS])
    cmd = ['nst_nb_train', *what, '--steps', str(a.steps)] + (['--resume'] if a.resume else [])
    shown = [str(c).replace(str(ROOT) + '/', '') for c in cmd]
    print('$', ' '.join(shown), flush=True)
    before = len(json.loads(OUT.with_suffix('.json').read_text())['history']) if a.resume else 0
    done = threading.Event(); threading.Thread(target=keep_snapshots, args=(a.snapshots, done), daemon=True).start()
    t = time.perf_counter(); child = subprocess.Popen(cmd)
    try: code = child.wait()
    except KeyboardInterrupt: code = child.wait()   # Ctrl-C reached the child too: let it write its checkpoint and say so
    wall = time.perf_counter() - t; done.set()
    side = json.loads(OUT.with_suffix('.json').read_text())
    steps = len(side['history']) - before
    print(f'{steps} steps in {wall / 60:.1f} min ({wall / max(steps, 1):.2f} s a step); {len(side["history"])} steps in all; '
          f'{OUT.stat().st_size / 2**20:.2f} MB; exit {code}', flush=True)
    finish(head)
    runs = json.loads(open(a.json).read())['runs'] if a.resume else []
    write_json(a.json, {'runs': runs + [{'command': shown, 'steps': steps, 'wall_s': wall, 'exit': code}],
                        'steps_total': len(side['history'])}, head)
    if a.again and a.install and code == 0 and len(side['history']) >= a.steps:
        install_course(OUT)
    return code


if __name__ == '__main__': sys.exit(main())
