#!/usr/bin/env python
"""The camera's motion against the truth: on clips whose motion the project made (a pan of a whole number of px a
frame, a 1 % zoom, and a camera held in the hand: drift, shake, turn and a slow zoom), read back from H.264, how far
the affine map `nst_nb.flow.camera_motion` finds is from the true one (px, averaged over the frame, every 8th px), and
how long it takes (median ms a frame, beside the flow's own time and all of `steadied`'s): the map fitted to the flow alone, refined by ECC at half size (0.23.0), and refined by ECC on blurred
copies 160 px on their short side, or a third of the frame's above 480 px (0.24.0's `_aligned`), at 256, 360 and 480 px height.

    python benchmarks/bench_camera.py [--heights 256 360 480] [--frames 12] [--json FILE]
"""
from __future__ import annotations
import argparse, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json

PAN, ZOOM = (1, 3), 1.01   # (down, right) px a frame; the zoom's enlargement a frame


def truths(kind: str, photo, n: int, h: int, w: int) -> list:
    "Each frame's true map back to the one before, `(2, 3)`: pixel `(x, y)` of a frame was at `A @ (x, y, 1)` in the one before."
    import numpy as np
    from nst_nb.video import hand_motion
    if kind == 'pan': return [np.float64([[1, 0, PAN[1]], [0, 1, PAN[0]]])] * (n - 1)
    if kind == 'zoom':
        cx, cy = (w - 1) / 2, (h - 1) / 2
        return [np.float64([[1 / ZOOM, 0, cx * (1 - 1 / ZOOM)], [0, 1 / ZOOM, cy * (1 - 1 / ZOOM)]])] * (n - 1)
    (H, W), zoom = photo.shape[:2], 1.002   # `handheld_clip`'s defaults, its frames' maps made again
    ty, tx, th = hand_motion(n, 2.0, 0.5, (0.0, 1.0), 0); k = np.sin(np.abs(th).max())
    s0 = min(H / (h + w * k + 2 * np.abs(ty).max()), W / (w + h * k + 2 * np.abs(tx).max())) * min(1, zoom ** (n - 1))
    def M(i):
        s, c, sn = s0 / zoom ** i, np.cos(th[i]), np.sin(th[i]); cy, cx = H / 2 + ty[i] * s0, W / 2 + tx[i] * s0
        return np.float64([[s * c, -s * sn, cx - s * (c * w - sn * h) / 2], [s * sn, s * c, cy - s * (sn * w + c * h) / 2], [0, 0, 1]])
    return [(np.linalg.inv(M(i - 1)) @ M(i))[:2] for i in range(1, n)]


def frames(kind: str, photo, n: int, h: int, w: int, d: Path) -> list:
    "The clip's frames as a reader gets them back from H.264."
    from nst_nb.video import handheld_clip, pan_clip, read_frames, write_clip, zoom_clip
    made = {'pan': lambda: pan_clip(photo, n, (h, w), PAN), 'zoom': lambda: zoom_clip(photo, n, (h, w), ZOOM), 'hand': lambda: handheld_clip(photo, n, (h, w))}[kind]()
    return list(read_frames(write_clip(made, d / f'{kind}_{h}.mp4')))


def aligned_half(prev, cur, A, iters: int = 10):
    "0.23.0's refinement: ECC on the grey frames at half size from 256 px up, not blurred first."
    import cv2, numpy as np
    from nst_nb.flow import _gray
    h, w = prev.shape[:2]; scale = 0.5 if min(h, w) >= 256 else 1.0
    S = np.diag([scale, scale, 1.0]); up = lambda B: np.vstack([B, [0, 0, 1]])
    small = lambda f: cv2.resize(_gray(f), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
    try: _, B = cv2.findTransformECC(small(cur), small(prev), (S @ up(A) @ np.linalg.inv(S))[:2].astype(np.float32), cv2.MOTION_AFFINE, (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iters, 1e-5), None, 1)
    except cv2.error: return A
    B = (np.linalg.inv(S) @ up(B) @ S)[:2]; corners = np.float32([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]]).T
    return B if np.abs((B - A) @ corners).max() <= max(2, 0.01 * max(h, w)) else A


def off(A, T, h: int, w: int) -> float:
    "Mean distance in px between where `A` and `T` take each 8th pixel."
    import numpy as np
    ys, xs = np.mgrid[0:h:8, 0:w:8]; P = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    return float(np.sqrt((((A - T) @ P) ** 2).sum(0)).mean())


def measure(kind: str, photo, n: int, h: int, w: int, d: Path) -> dict:
    "Each way's error (mean and largest over the frames, px) and its median time a frame (ms, after the flow's fit)."
    import numpy as np
    from nst_nb.flow import _affine_of_flow, _aligned, motion, steadied
    fr, T = frames(kind, photo, n, h, w, d), truths(kind, photo, n, h, w)
    ways = {'flow fit': lambda a, b, A: A, 'ECC half size (0.23.0)': aligned_half, 'ECC 160 px or a third, blurred (0.24.0)': _aligned}
    got, flow_s, steady_s = {k: ([], []) for k in ways}, [], []
    for a, b, t in zip(fr, fr[1:], T):
        s = time.perf_counter(); m = motion(a, b); flow_s.append(time.perf_counter() - s)
        s = time.perf_counter(); steadied(a, b, m); steady_s.append(time.perf_counter() - s)   # all of `--carry camera`'s work a frame
        A = _affine_of_flow(m)
        if A is None: continue
        for k, f in ways.items():
            s = time.perf_counter(); B = f(a, b, A); got[k][1].append(time.perf_counter() - s); got[k][0].append(off(B, t, h, w))
    ms = lambda x: 1000 * float(np.median(x))
    return {'ways': {k: {'px': float(np.mean(e)), 'px_max': float(np.max(e)), 'ms': ms(s), 'frames': len(e)} for k, (e, s) in got.items()},
            'motion_ms': ms(flow_s), 'steadied_ms': ms(steady_s)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--heights', type=int, nargs='+', default=[256, 360, 480])
    p.add_argument('--frames', type=int, default=12)
    p.add_argument('--json')
    a = p.parse_args(argv)
    import numpy as np
    from PIL import Image
    from nst_nb.images import open_image
    head = machine('none'); print_header(head)
    rocket = open_image(ROOT / 'images/content/rocket.jpg')
    rows = {}
    with tempfile.TemporaryDirectory() as t:
        for h in a.heights:
            w, k = h * 4 // 3 // 2 * 2, max(1.5, 1.6 * h / rocket.height)   # 1.5 times as large, as `bench_video.make_clips`, or more for a pan of large frames
            photo = np.asarray(rocket.resize((round(rocket.width * k), round(rocket.height * k)), Image.Resampling.LANCZOS))
            for kind in ('pan', 'zoom', 'hand'):
                rows[f'{kind} {h}'] = r = measure(kind, photo, a.frames, h, w, Path(t))
                print(f'{kind:4} {w}x{h}: ' + ' | '.join(f"{k} {v['px']:.3f} px (max {v['px_max']:.3f}), {v['ms']:.1f} ms" for k, v in r['ways'].items())
                      + f" | the flow (`motion`) {r['motion_ms']:.1f} ms, `steadied` {r['steadied_ms']:.1f} ms", flush=True)
    head = finish(head)
    if a.json: write_json(a.json, {'args': vars(a), 'rows': rows}, head)


if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).parent)); main()
