#!/usr/bin/env python
"""The flicker figure checked against the truth: on the clips whose motion the project made and so knows (a pan and a
zoom), the warping error along the true motion, beside the same figure along the flow nst_nb finds (DIS, as
`bench_blend.py` and, up to 0.23.0 or with `--carry flow`, the sidecars measure it) and along that flow steadied by the
camera's motion (`nst_nb.flow.steadied`, as the sidecars measure it with `--carry camera`, the default since 0.24.0), each checked as `nst_nb_video` checks it (since 0.25.0 by DIS's fast preset where the camera carries the strokes: `--check`); for each blend, as a fraction of frame by frame's. The occlusion clip (a pan with a disc crossing
it, whose motion is not one map) gets the two found flows only.

The paintings are `bench_blend.py`'s (the same network, styles and clips); only the blends run again, so this takes a
few minutes and needs no style figures.

    python benchmarks/bench_flicker.py [--model course] [--styles gravel brush_strokes] [--clips pan zoom occlusion] [--blends advect8_12_0.3_g1_w16_o2+c ...] [--check fast|medium] [--json FILE]
"""
from __future__ import annotations
import argparse, os, sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import finish, machine, print_header, write_json
from nst_nb.flow import FLOW_PRESETS

BLENDS = ['advect8_12_0.3_g1_w16_o2+c', 'advect8_12_0.3_g1_w16_o2_cam+c', 'advect8_12_0.3_ginf_w16_o2_b16_cam+c']
PAN = (1, 3)     # `bench_video.make_clips`' pan: (down, right) px a frame at 480 px height


def true_motion(clip: str, h: int, w: int):
    "The motion the clip was made with, back from each frame to the one before (every frame alike), or None where it is not one map."
    import numpy as np
    from nst_nb.flow import Motion, _from_inside
    from bench_blend import ZOOM
    ys, xs = np.mgrid[:h, :w].astype(np.float32)
    if clip == 'pan': back = np.dstack([np.full_like(xs, PAN[1] * h / 480), np.full_like(ys, PAN[0] * h / 480)])   # read at h px of 480
    elif clip == 'zoom': cx, cy = (w - 1) / 2, (h - 1) / 2; back = np.dstack([cx + (xs - cx) / ZOOM - xs, cy + (ys - cy) / ZOOM - ys])
    else: return None
    return Motion(back.astype(np.float32), _from_inside(back))


def flickers(outs: list, frames: list, motions: list) -> dict:
    "Mean warping error of `outs` and of the input `frames` along `motions` (one per frame; the first None)."
    import numpy as np
    from nst_nb.flow import warping_error
    mean = lambda xs: float(np.nanmean([warping_error(a, b, m) for a, b, m in zip(xs, xs[1:], motions[1:])]))
    return {'warping_error': mean(outs), 'input': mean(frames)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', default='course'); p.add_argument('--styles', nargs='+', default=['gravel', 'brush_strokes'])
    p.add_argument('--clips', nargs='+', default=['pan', 'zoom', 'occlusion']); p.add_argument('--blends', nargs='+', default=BLENDS)
    p.add_argument('--frames', type=int, default=48); p.add_argument('--json')
    p.add_argument('--check', default=None, choices=FLOW_PRESETS, help="the forward flow's preset, which checks the flow back (default: nst_nb_video's, fast for a `_cam` blend, medium along the flow; medium: as up to 0.24.0); the flicker along the flow and the steadied flow reads the motions checked as the camera's blends are")
    a = p.parse_args(argv)
    import nst_nb.hardware  # noqa: F401
    from nst_nb.train_settings import network_info
    from bench_blend import blended, carried_by, check_of, painted_runs
    head = machine(network_info(a.model)['backbone'], 'float32'); print_header(head)
    res = {}
    checks = {b: check_of(b, a.check) for b in a.blends}; flow, cam = check_of('flow', a.check), check_of('_cam', a.check)   # the flow read as a `--carry flow` run checks it, the steadied one as a `--carry camera` run does
    for st, clip, _, frames, painted, motions in painted_runs(a.model, a.styles, a.clips, a.frames, camera=True, checks=tuple(set(checks.values()) | {flow, cam})):
        truth = true_motion(clip, *frames[0].shape[:2])
        along = {'flow': motions[flow], 'steadied': [None] + [m.steady for m in motions[cam][1:]], **({'true': [None] + [truth] * (len(frames) - 1)} if truth else {})}
        outs = {'frame_by_frame': painted, **{b: blended(b, painted, carried_by(b, motions, a.check)) for b in a.blends}}
        run = res[f'{st} {clip}'] = {k: {b: flickers(o, frames, ms) for b, o in outs.items()} for k, ms in along.items()}
        for k, r in run.items():
            fbf = r['frame_by_frame']['warping_error']
            for b in a.blends: r[b]['flicker_ratio'] = r[b]['warping_error'] / fbf
            print(f"{st}, {clip}, along the {k:8} (input {r['frame_by_frame']['input']:.5f}, frame by frame {fbf:.5f}): "
                  + ', '.join(f"{b} {r[b]['flicker_ratio']:.3f}" for b in a.blends), flush=True)
    finish(head)
    if a.json: write_json(a.json, {'args': {**vars(a), 'checks': checks, 'flow_checked': flow, 'steadied_checked': cam}, 'runs': res}, head)


if __name__ == '__main__':
    sys.exit(main())
