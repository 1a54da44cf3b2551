#!/usr/bin/env python
"""The network engine's frame loop against an earlier version's, in one run: frames per second of `nst_nb_video`'s loop (decoding,
flow, network, blend, flicker figures and coding all counted) on the 480 px pan of `bench_video.py` read at 256, 360
and 480 px, ONNX Runtime, blended (`--carry camera`, the default) and frame by frame, each way taken in turn so that a
slow spell of a shared machine falls on all of them; and the CPU time each thread spent a frame (Linux). First, the
time a key frame spends drawing its order of switching (`switch_order`), 0.26.0's way beside.

The ways (`--ways`, the first the baseline; by default 0.26.0 and 0.27.0): `0.24.0` (the forward flow checked with
`--flow`'s preset, medium, and the flicker figure summed by NumPy, as 0.24.0 did: a copy of its `warping_error` is kept
here), `check fast` (0.25.0's check, 0.24.0's figure), `0.25.0` (the check with DIS's fast preset where the camera
carries the strokes, the figure summed by OpenCV), each with 0.25.0's passage between key frames (the detail finer than
1 px switched in 2 px blobs, the rest faded: a blend registered here as `advect-0.25.0`), `0.26.0` (all of the detail
switched in 16 px blobs, each key's order of switching drawn from the whole frame's noise blurred by 16 px: a blend
registered here as `advect-0.26.0`), and `0.27.0` (`--blend advect` since 0.27.0: the order drawn on a coarse grid,
`nst_nb.flow.switch_order`). Frame by frame runs the first and the last way where they differ
but for the blend, else the last. Nothing else should run meanwhile.

    python benchmarks/bench_realtime.py [--models course_fast course] [--heights 256 360 480] [--ways 0.26.0 0.27.0] [--repeat 3] [--json FILE]
"""
from __future__ import annotations
import argparse, collections, dataclasses, glob, os, resource, statistics, tempfile, threading
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import finish, machine, print_header, verdict, write_json
from bench_video import make_clips


def numpy_warping_error(prev, cur, m) -> float:
    "0.24.0's `nst_nb.flow.warping_error`, summed by NumPy: the baseline's."
    import numpy as np
    from nst_nb.flow import warp
    if not m.mask.any(): return float('nan')
    d = (cur.astype(np.float32) - warp(prev, m.back).astype(np.float32)) / 255
    return float((d[m.mask] ** 2).mean())


WAYS = {'0.24.0': ('medium', True, 'advect-0.25.0'), 'check fast': (None, True, 'advect-0.25.0'), '0.25.0': (None, False, 'advect-0.25.0'), '0.26.0': (None, False, 'advect-0.26.0'), '0.27.0': (None, False, 'advect')}   # (`VideoConfig.check`, NumPy's figure, `VideoConfig.blend`)


def whole_frame_order(shape: tuple, seed: int, blob: float):
    "0.26.0's `switch_order`: the whole frame's noise blurred by `blob` px (a copy kept here: the baseline's)."
    import cv2, numpy as np
    z = cv2.GaussianBlur(np.random.default_rng(seed).standard_normal(shape, np.float32), (0, 0), blob)
    return 1 / (1 + np.exp(-1.702 * z / z.std()))


def order_times(heights: list, repeat: int = 30) -> dict:
    "ms a key frame spends drawing its order of switching, at each height (4:3 frames, as the pan's): 0.26.0's (the whole frame's noise blurred by 16 px) and `switch_order`'s at 16 and 24 px, each in turn."
    import time
    from nst_nb.flow import switch_order
    ways = {'0.26.0 (whole frame, 16 px)': lambda sh, i: whole_frame_order(sh, i, 16.0), 'switch_order 16 px': lambda sh, i: switch_order(sh, i, 16.0), 'switch_order 24 px': lambda sh, i: switch_order(sh, i, 24.0)}
    res = {}
    for h in heights:
        sh, t = (h, round(h * 4 / 3)), {w: [] for w in ways}
        for i in range(repeat):
            for w, f in ways.items(): t0 = time.perf_counter(); f(sh, i); t[w].append(1e3 * (time.perf_counter() - t0))
        res[h] = {w: statistics.median(v) for w, v in t.items()}
        print(f"order of switching at {sh[1]} x {h} px: " + ', '.join(f'{w} {v:.2f} ms' for w, v in res[h].items()), flush=True)
    return res


def register_old_passages():
    "`advect-0.25.0` and `advect-0.26.0`: the `advect` blend with the passage it had up to 0.25.0 (`grain=1`, `blob=2`) and in 0.26.0 (all switched in 16 px blobs, the order from the whole frame's noise), as blends `VideoConfig` may name."
    from nst_nb.flow import AdvectedBlend
    from nst_nb.video_run import BLENDS, blend_keep
    class WholeFrameOrder(AdvectedBlend):
        whole_frame = True   # (`passage` reads it)
        def _order(self, shape): return whole_frame_order(shape, self.n, self.blob)
    if 'advect-0.25.0' not in BLENDS: BLENDS.add('advect-0.25.0', lambda cfg: AdvectedBlend(cfg.key_every, blend_keep(cfg, 0.3), grain=1.0, blob=2.0), "advect as up to 0.25.0 (bench_realtime.py's)")
    if 'advect-0.26.0' not in BLENDS: BLENDS.add('advect-0.26.0', lambda cfg: WholeFrameOrder(cfg.key_every, blend_keep(cfg, 0.3), grain=float('inf'), blob=16.0), "advect as in 0.26.0 (bench_realtime.py's)")


def passage(blend: str) -> dict:
    "How blend `blend` (a name `VideoConfig.blend` takes) passes from key to key: its `grain` ('inf': all of the detail switched), `blob` and where its order of switching is drawn, as made for the default settings."
    from nst_nb.flow import order_step
    from nst_nb.video_run import BLENDS, VideoConfig
    b = BLENDS[blend](VideoConfig(blend=blend)); g = getattr(b, 'grain', None)
    blob = getattr(b, 'blob', None)
    step = order_step(blob) if blob else None
    order = 'whole frame' if getattr(b, 'whole_frame', False) else ('every px' if step == 1 else f'every {step} px, stretched') if blob else None   # where `switch_order` draws its noise
    return {'grain': 'inf' if g == float('inf') else g, 'blob': blob, 'order': order}   # (JSON has no infinity)


def frame_by_frame_ways(ways: list) -> list:
    "The ways frame by frame is timed with: the last, and the first too where it differs from the last but for the blend (frame by frame has none)."
    last = ways[-1]
    return ([ways[0]] if WAYS[ways[0]][:2] != WAYS[last][:2] else []) + [last]


def thread_cpu() -> collections.Counter:
    "CPU seconds of each of this process's living threads so far, by thread id (Linux's /proc; none elsewhere), and of the whole process (`total`: ended threads too)."
    u = resource.getrusage(resource.RUSAGE_SELF); r, tick = collections.Counter(total=u.ru_utime + u.ru_stime), os.sysconf('SC_CLK_TCK')
    for t in glob.glob('/proc/self/task/*'):
        try: f = Path(t, 'stat').read_text().rsplit(')', 1)[1].split(); r[t.rsplit('/', 1)[1]] = (int(f[11]) + int(f[12])) / tick
        except (FileNotFoundError, ProcessLookupError, IndexError): pass
    return r


def by_thread(before: collections.Counter, after: collections.Counter, frames: int) -> dict:
    "ms of CPU a frame: the main thread, the flow's, the painter's (the threads that call OpenCV and ONNX Runtime, not their workers), and all the rest (their workers, the codec's, the reader)."
    names = {str(t.native_id): t.name for t in threading.enumerate()}
    kind = lambda n: 'main' if n == 'MainThread' else 'flow' if n.startswith('nst_nb-flow') else 'paint' if n.startswith('nst_nb-paint') else None
    out = collections.Counter()
    for tid, s in after.items():
        if tid != 'total' and (k := kind(names.get(tid, ''))): out[k] += s - before.get(tid, 0)
    out['other'] = after['total'] - before['total'] - sum(out.values())
    return {k: round(1e3 * out[k] / frames, 1) for k in ('main', 'flow', 'paint', 'other')}


def one_run(clip, out, eng, cfg, numpy_figure: bool) -> dict:
    "One run of the clip: frames per second and CPU ms a frame by thread."
    import nst_nb.video_run as vr
    from nst_nb.video_run import stylise_clip
    keep = vr.warping_error
    if numpy_figure: vr.warping_error = numpy_warping_error
    try:
        a = thread_cpu(); side = stylise_clip(clip, out, eng, cfg, progress=False); b = thread_cpu()
    finally: vr.warping_error = keep
    return {'fps': side['fps_achieved'], 'cpu_ms': by_thread(a, b, side['frames']), 'check': side['video'].get('check')}


def model_runs(a, model: str, clip: Path, d: Path) -> dict:
    "Each way's frames per second at each height, blended and frame by frame, for one network."
    from nst_nb.train_settings import network_info, network_settings
    from nst_nb.video_run import NetworkEngine, VideoConfig, stylise_clip
    s, res = network_settings(network_info(model)), {}
    for h in a.heights:
        for keep in (None, 0.0):
            ways = list(a.ways) if keep is None else frame_by_frame_ways(a.ways)
            cfgs = {w: VideoConfig(height=h, keep=keep, check=WAYS[w][0], blend=WAYS[w][2]) for w in ways}
            eng = NetworkEngine(model, a.style, s, cfgs[ways[0]], 'onnx')
            stylise_clip(clip, d / f'warm_{model}_{h}_{keep}.mp4', eng, dataclasses.replace(cfgs[ways[0]], frames=4), progress=False)   # traced at this size
            runs = {w: [] for w in ways}
            for r in range(a.repeat):
                for w in (ways if r % 2 == 0 else ways[::-1]):
                    runs[w].append(one_run(clip, d / f'{model}_{h}_{keep}_{w}_{r}.mp4', eng, cfgs[w], WAYS[w][1]))
            for w in ways:
                fps = [x['fps'] for x in runs[w]]
                row = res[f"{h} {'blended' if keep is None else 'frame by frame'} {w}"] = {
                    'fps': statistics.median(fps), 'fps_runs': fps, 'check': runs[w][0]['check'],
                    'cpu_ms': {k: statistics.median(x['cpu_ms'][k] for x in runs[w]) for k in runs[w][0]['cpu_ms']}}
                print(f"{model} at {h} px, {'blended' if keep is None else 'frame by frame'}, {w:10}: {row['fps']:5.1f} frames/s (runs {', '.join(f'{x:.1f}' for x in fps)}); "
                      f"CPU a frame: " + ', '.join(f'{k} {v:.0f} ms' for k, v in row['cpu_ms'].items()), flush=True)
            if len(ways) > 1:
                base, new = (res[f"{h} {'blended' if keep is None else 'frame by frame'} {w}"]['fps'] for w in (ways[0], ways[-1]))
                print(f'  {ways[-1]}: {new / base:.2f}x {ways[0]}\'s frames per second', flush=True)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--models', nargs='+', default=['course_fast', 'course']); p.add_argument('--style', default='mosaic')
    p.add_argument('--heights', nargs='+', type=int, default=[256, 360, 480]); p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--frames', type=int, default=48); p.add_argument('--json')
    p.add_argument('--ways', nargs='+', default=['0.26.0', '0.27.0'], choices=list(WAYS), help='the loops to time, the first the baseline')
    a = p.parse_args(argv); register_old_passages(); a.ways = list(dict.fromkeys(a.ways))   # each once
    import nst_nb.hardware  # noqa: F401
    from nst_nb.train_settings import network_info
    head = machine(network_info(a.models[0])['backbone'], 'float32'); print_header(head)
    orders = order_times(a.heights)
    d = Path(tempfile.mkdtemp(prefix='nst_realtime_')); clip = make_clips(d, a.frames, 0)['pan']
    res = {m: model_runs(a, m, clip, d) for m in a.models}
    fast = res[a.models[0]].get(f'256 blended {a.ways[-1]}')
    if fast: print(f"{a.models[0]}, blended at 256 px: {fast['fps']:.1f} frames/s [target 24, the clip's rate: {verdict(fast['fps'] >= 24)}]", flush=True)
    finish(head)
    if a.json: write_json(a.json, {'args': vars(a), 'ways': {w: {'check': c, 'numpy_figure': n, 'blend': b, **passage(b)} for w, (c, n, b) in WAYS.items() if w in a.ways}, 'networks': res, 'switch_order_ms': orders}, head)
    return res


if __name__ == '__main__': main()
