#!/usr/bin/env python
"""The optimisation engine on video: each later frame started from the previous result carried to it, with the temporal
loss, against every frame optimised on its own. Three ways of carrying: along the optical flow, warped bilinearly (`flow`:
0.27.0's engine, `--carry flow` then); with the camera's motion where that explains the frame, bilinearly (`camera
bilinear`); and so, bicubically (`camera 0.28.0`, `--carry camera`). Each with the temporal term on the pictures as they
are, as up to 0.28.0; `camera` is today's engine, its term on the pictures blurred by `--temporal-sigma` px (0.29.0's
default, 1). On the clips whose
motion the project made: a pan and a zoom (`bench_flicker.true_motion`: the flicker read along the true motion too), and
the clip held in the hand that the README films (`handheld_clip` over the rocket: a drift, a shake, a turn, a slow
zoom and sensor noise). For each way: the warping error along the true motion (where known), the flow steadied by the
camera's (as the sidecars read it) and the flow; `bench_quality.py`'s style figures on every second frame from the second
(the first is the same in every way), against frame by frame's; the frames' sharpness (the spread of their grey fine band, the picture less its blur by 1 px), as a
multiple of frame by frame's; the seconds a later frame takes.

    python benchmarks/bench_opt_video.py [--clips pan zoom handheld] [--frames 12] [--height 192] [--style mosaic] [--ways ...] [--temporal-sigma PX] [--json FILE]

Every way paints the same first frame (the optimisation's, as `nst_nb_video` paints it) and is given the same motions:
the flow found once per frame pair (DIS `medium`, checked as the optimisation checks it) with the camera's; `flow`
gets it without the camera's. About 25 minutes at the defaults on two cores; nothing else should run meanwhile.
"""
from __future__ import annotations
import argparse, os, time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, verdict, write_json
from bench_quality import figures
from bench_video import STYLE_FIGURES, make_clips

WAYS = ('frame_by_frame', 'flow', 'camera bilinear', 'camera 0.28.0', 'camera')   # `engines` and `painted` say how each paints


def clips_made(d, names: list, frames: int) -> dict:
    "The clips asked for, written to `d`: `pan` (`bench_video.make_clips`'), `zoom` (`bench_blend.ZOOM` a frame into the rocket), `handheld`."
    import numpy as np
    from nst_nb.images import open_image
    from nst_nb.video import handheld_clip, write_clip, zoom_clip
    from bench_blend import ZOOM
    rocket = np.asarray(open_image(ROOT / 'images/content/rocket.jpg'))
    made = {'pan': lambda: make_clips(d, frames, 0)['pan'],
            'zoom': lambda: write_clip(zoom_clip(rocket, frames, (256, 384), ZOOM), d / 'zoom.mp4'),
            'handheld': lambda: write_clip(handheld_clip(rocket, frames, (256, 384)), d / 'handheld.mp4')}
    return {n: made[n]() for n in names}


def engines(styles: list, s, cfg) -> dict:
    "An engine for each way: today's (`camera`, as `cfg` says), 0.28.0's (its temporal term on the pictures as they are), and 0.27.0's start too, the previous result warped bilinearly (`flow`, `camera bilinear`)."
    import dataclasses
    from nst_nb.flow import temporal_blend
    from nst_nb.video_run import OptimisationEngine
    class Bilinear(OptimisationEngine):   # 0.27.0's start
        def _start(self, frame, prev, m): return temporal_blend(frame, prev, m, keep=1.0, texture=False)
    was = dataclasses.replace(cfg, temporal_sigma=0.0)   # the term up to 0.28.0
    new, v28, old = OptimisationEngine(styles, s, cfg), OptimisationEngine(styles, s, was), Bilinear(styles, s, was)
    return {'frame_by_frame': new, 'flow': old, 'camera bilinear': old, 'camera 0.28.0': v28, 'camera': new}


def painted(engine, frames: list, motions: list, way: str, first) -> tuple[list, list]:
    "The frames painted one way (`WAYS`), from the same `first`, and the seconds each later frame took."
    from nst_nb.flow import Motion
    outs, secs = [first], []
    for f, m in zip(frames[1:], motions[1:]):
        t = time.perf_counter()
        if way == 'frame_by_frame': outs.append(engine(f, None, None))
        else: outs.append(engine(f, outs[-1], Motion(m.back, m.mask) if way == 'flow' else m))   # the camera's where found (`Motion.steady`)
        secs.append(time.perf_counter() - t)
    return outs, secs


def flicker(outs: list, motions: list) -> float:
    "The mean warping error of `outs` along `motions` (one per frame; the first None)."
    import numpy as np
    from nst_nb.flow import warping_error
    return float(np.mean([warping_error(a, b, m) for a, b, m in zip(outs, outs[1:], motions[1:])]))


def sharpness(a) -> float:
    "The spread of a picture's grey fine band: itself less its blur by 1 px (`bench_lbp.fine`; 0-1 levels)."
    from bench_lbp import fine
    return float(fine(a.mean(-1) / 255).std())


def style_figures(outs: list, frames: list, style: str, backbone: str, every: int = 2) -> dict:
    "`bench_quality.py`'s figures and the `sharpness` of every `every`-th frame from the second (the first is every way's own) against its input frame and the style, averaged."
    import numpy as np
    rows = [{**figures(o, f, style, backbone), 'sharpness': sharpness(o)} for i, (f, o) in enumerate(zip(frames, outs)) if i % every == 1 % every]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def clip_run(a, clip, name: str, engines: dict, style: str) -> dict:
    "Every way on one clip: flicker along each motion, style figures, seconds a later frame."
    from nst_nb.flow import motion
    from nst_nb.video import read_frames
    from bench_flicker import true_motion
    frames = list(read_frames(clip, a.height)); h, w = frames[0].shape[:2]
    motions = [None] + [motion(x, y, 'medium', camera=True) for x, y in zip(frames, frames[1:])]
    truth = true_motion(name, h, w)
    along = {**({'true': [None] + [truth] * (len(frames) - 1)} if truth else {}), 'steadied': [None] + [m.steady for m in motions[1:]], 'flow': motions}
    first = engines['camera'](frames[0], None, None); res = {}
    for way in a.ways:
        outs, secs = painted(engines[way], frames, motions, way, first)
        res[way] = {'flicker': {k: flicker(outs, ms) for k, ms in along.items()}, 'later_frame_s': sum(secs) / len(secs),
                    'figures': style_figures(outs, frames, style, a.backbone)}
        print(f"{name}, {way:15}: warping error " + ', '.join(f'along the {k} {v:.5f}' for k, v in res[way]['flicker'].items())
              + f"; sharpness {res[way]['figures']['sharpness']:.4f}; {res[way]['later_frame_s']:.1f} s a later frame", flush=True)
    res['input'] = {k: flicker(frames, ms) for k, ms in along.items()}
    for way in a.ways[1:]:
        r = res[way]; fbf = res['frame_by_frame']
        r['flicker_ratio'] = {k: r['flicker'][k] / fbf['flicker'][k] for k in along}
        r['changes'] = {k: r['figures'][k] / fbf['figures'][k] - 1 for k in STYLE_FIGURES}; r['sharpness_ratio'] = r['figures']['sharpness'] / fbf['figures']['sharpness']
        far = max(r['changes'].values())
        print(f"  {name}, {way}: " + ', '.join(f'{v:.3f} of frame by frame along the {k}' for k, v in r['flicker_ratio'].items())
              + f" [target <= 0.5: {verdict(max(r['flicker_ratio'].values()) <= 0.5)}]; style figures " + ', '.join(f'{k} {v:+.1%}' for k, v in r['changes'].items())
              + f" [target each within 10 % or nearer: {verdict(far <= 0.10)}]; sharpness {r['sharpness_ratio']:.2f} of frame by frame's", flush=True)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--clips', nargs='+', default=['pan', 'zoom', 'handheld'], choices=['pan', 'zoom', 'handheld'])
    p.add_argument('--frames', type=int, default=12); p.add_argument('--height', type=int, default=192)
    p.add_argument('--style', default='mosaic'); p.add_argument('--backbone', default='vgg16-hed'); p.add_argument('--json')
    p.add_argument('--precision', default='auto', choices=['auto', 'float32', 'bfloat16'], help="the optimisation's precision (auto: bfloat16 where the CPU has it)")
    p.add_argument('--later-steps', type=int, default=None, help="steps for each later frame (default: nst_nb_video's, VideoConfig.later_steps)")
    p.add_argument('--ways', nargs='+', default=list(WAYS), choices=WAYS, help='the ways to paint (frame_by_frame always: the others are read against it)')
    p.add_argument('--temporal-sigma', type=float, default=None, help="the `camera` way's temporal blur in px (default: nst_nb_video's, VideoConfig.temporal_sigma)")
    a = p.parse_args(argv)
    import tempfile
    from pathlib import Path
    import nst_nb.hardware  # noqa: F401
    from nst_nb.settings import Settings
    from nst_nb.video_run import VideoConfig
    head = machine(a.backbone, a.precision); print_header(head)
    style = str(ROOT / 'images/style' / f'{a.style}.jpg'); cfg = VideoConfig(height=a.height, **({'later_steps': a.later_steps} if a.later_steps else {}), **({} if a.temporal_sigma is None else {'temporal_sigma': a.temporal_sigma}))
    a.ways = ['frame_by_frame'] + [w for w in WAYS[1:] if w in a.ways]
    ways = engines([style], Settings(backbone=a.backbone, precision=a.precision), cfg)
    made = clips_made(Path(tempfile.mkdtemp(prefix='nst_opt_video_')), a.clips, a.frames)
    res = {n: clip_run(a, made[n], n, ways, style) for n in a.clips}
    finish(head)
    if a.json: write_json(a.json, {'args': vars(a), 'video': {'later_steps': cfg.later_steps, 'temporal_weight': cfg.temporal_weight, 'temporal_sigma': cfg.temporal_sigma}, 'clips': res}, head)
    return res


if __name__ == '__main__': main()
