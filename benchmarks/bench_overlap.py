#!/usr/bin/env python
"""What overlapping buys the network engine: one video loop run four ways on the same clip and network, in this
process, one after the other and twice each (the best counted): each step after the other; the network on a second
thread while the flow is found (as `stylise_clip` runs it); that and the next frames decoded ahead on a third thread
(`nst_nb.video_run.ahead`, as `stylise_clip` runs it too). Every way decodes, finds the flow and mask, paints,
blends, computes both flicker figures and encodes H.264, as `stylise_clip` does; none writes a sidecar.

    python benchmarks/bench_overlap.py [--models course_fast course] [--height 256] [--frames 48] [--flows medium fast] [--json FILE]
"""
from __future__ import annotations
import argparse, os, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json


def loop(clip: Path, out: Path, net, style, height: int, beside: bool, read_ahead: bool, flow: str = 'medium') -> float:
    "Frames per second of one pass over `clip`."
    from concurrent.futures import ThreadPoolExecutor
    from nst_nb.flow import motion, temporal_blend, warping_error
    from nst_nb.network import stylise
    from nst_nb.video import read_frames, PartWriter
    from nst_nb.video_run import ahead
    pool, w, prev_in, prev_out, n = ThreadPoolExecutor(1), PartWriter(out, 24, 18), None, None, 0
    frames = read_frames(clip, height)
    t = time.perf_counter()
    for f in ahead(frames) if read_ahead else frames:
        if prev_in is None: o = stylise(net, f, style)
        else:
            fut = pool.submit(stylise, net, f, style) if beside else None
            m = motion(prev_in, f, flow)
            o = temporal_blend(fut.result() if beside else stylise(net, f, style), prev_out, m)
            warping_error(prev_out, o, m); warping_error(prev_in, f, m)
        w.write(o); prev_in, prev_out, n = f, o, n + 1
    w.close(); pool.shutdown()
    return n / (time.perf_counter() - t)


def run_model(a, model: str, clip: Path, d: Path) -> dict:
    "Each way twice for one network; the best of each."
    from nst_nb.network import load_network, stylise, style_input
    from nst_nb.video import read_frames
    net, info = load_network(model)
    style = style_input(net, a.style)[0].tolist()
    for f in list(read_frames(clip, a.height))[:4]: stylise(net, f, style)   # traced and warmed at this size
    ways = {'one after the other': (False, False, 'medium'), 'network beside the flow': (True, False, 'medium'), 'and frames read ahead': (True, True, 'medium')}
    ways.update({f'overlapped, flow {f}': (True, True, f) for f in a.flows if f != 'medium'})
    res = {}
    for name, (beside, read_ahead, flow) in list(ways.items()) * 2:
        fps = loop(clip, d / 'out.mp4', net, style, a.height, beside, read_ahead, flow)
        res[name] = max(res.get(name, 0), fps)
        print(f'{model} at {a.height} px, {name}: {fps:.1f} frames/s', flush=True)
    base = res['one after the other']
    for name, fps in res.items(): print(f'{model}, best of two, {name}: {fps:.1f} frames/s = {fps / base:.2f}x one after the other', flush=True)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--models', nargs='+', default=['course_fast', 'course']); p.add_argument('--style', default='mosaic')
    p.add_argument('--height', type=int, default=256); p.add_argument('--frames', type=int, default=48)
    p.add_argument('--flows', nargs='+', default=['medium'], help='flow presets: each is a way of its own, overlapped as stylise_clip does')
    p.add_argument('--json', default=None)
    a = p.parse_args(argv)
    import numpy as np
    import nst_nb.hardware  # noqa: F401
    from nst_nb.images import open_image
    from nst_nb.train_settings import network_info
    from nst_nb.video import pan_clip, write_clip
    head = machine(network_info(a.models[0])['backbone'], 'float32'); print_header(head)
    d = Path(tempfile.mkdtemp(prefix='nst_overlap_'))
    rocket = open_image(ROOT / 'images/content/rocket.jpg'); rocket = np.asarray(rocket.resize((rocket.width * 3 // 2, rocket.height * 3 // 2)))
    clip = write_clip(pan_clip(rocket, a.frames, (480, 640), (1, 3)), d / 'pan.mp4')
    res = {m: run_model(a, m, clip, d) for m in a.models}
    finish(head)
    if a.json: write_json(a.json, {'fps': res, 'args': vars(a)}, head)


if __name__ == '__main__':
    main()
