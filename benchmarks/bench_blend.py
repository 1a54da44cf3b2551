#!/usr/bin/env python
"""A probe for the video issue's texture target: other ways to blend the warped previous frame into the network's
painting, on the same paintings, judged as `bench_video.py` judges the shipped blend (the flicker as a fraction of
frame by frame's, and each style figure's change from frame by frame's; target: flicker at most half, each figure
within 10 %). Each clip's frames are painted once; every blend then runs on those paintings (NumPy and OpenCV only),
so the figures differ only by the blend. The figures are taken on the frames before any video coding. Clips: `pan`,
`occlusion` (`bench_video.make_clips`), `zoom` (1 % a frame into the rocket) and, when asked, `handheld`
(`nst_nb.video.handheld_clip` over the rocket: shake, turn, drift, a slow zoom and sensor noise of 2 grey levels, as a
phone held in the hand; since 0.17.0).

    python benchmarks/bench_blend.py [--model course] [--styles gravel brush_strokes] [--clips pan occlusion zoom handheld] [--blends texture keep0.3 ...] [--check fast|medium] [--json FILE]

Blends (`keep` 0.6 unless named): `texture` (`--blend texture`, the default from 0.9.0 to 0.14.0, `temporal_blend`), `linear` (0.8.0's plain mix),
`keepK` (the default at `keep` K), `bandS_K` (the detail below a blur of S px mixed at `keep` K, the rest at 0.6, then
`detail_restored`), `multiS1-S2-...` (each band between successive blurs raised to the painting's local contrast, not
only the finest), `carryS` (the detail below a blur of S px carried whole from the warped previous frame where the
flow holds: strokes that never change), `featN_K` (no blend of pixels: the network's own feature maps at 1/N of
the frame, N 4 after its residual blocks or 2 after its first upsampling, mixed at `keep` K with the previous frame's
mixed maps warped along the flow, then painted by the rest of the network, as Chen et al. 2017 do with a learned mix), `anchorN_S` (the detail below a
blur of S px taken from one key frame's painting, warped there in one step along the flow composed since, a new key
frame every N frames; the rest mixed as `linear`), `anchorfadeN_S` (the same, the last two key frames' detail
cross-faded over the N frames, then `detail_restored`; the probe that led to `advect`), `advectN_S` (nst_nb's
`AdvectedBlend(every=N, sigma=S)`, all of its detail switched pixel by pixel from key to key, as up to 0.17.0;
`advectN_S_K`: with `keep` K for the coarse picture; `_gG`: a passage from key to key that switches the detail finer
than G px and fades the rest (`grain=G`, as `--blend advect` ran it from 0.18.0 to 0.25.0 with G = 1; `_ginf`: all of it switched); `_wW`: the carried
detail raised to the painting's contrast over W px neighbourhoods (`window=W`; without it 4 px, as up to 0.18.0); `_oN`: each
key's detail read from a copy N times as large (`oversample=N`; without it read as it is, as up to 0.19.0); `_bB`: the pixels
that switch in one frame of a passage in blobs of noise blurred by B px (`blob=B`; without it 2 px, as up to 0.21.0; `_ginf_b16`: all of the
detail switched, in 16 px blobs, the probe of 0.22.0; since 0.27.0 the noise drawn on a coarse grid, `switch_order`); `_dD`: another draw of
that noise (seeded by the key frame's number plus 1000·D; nst_nb's is D = 0), to see how far the figures move with the draw alone; `_cam`: the strokes carried with the camera's motion where it explains the frame
(`--carry camera`, `nst_nb.flow.steadied`; since 0.23.0); the
default since 0.27.0 is `advect8_12_0.3_ginf_w16_o2_b24_cam+c`: a 12 px blur (whole strokes carried), keys
that keep pace with a zoom, the carried detail at the painting's contrast over 16 px, read from twice the size, carried
with the camera, all of it switched from key to key in 24 px blobs; 0.26.0's was `advect8_12_0.3_ginf_w16_o2_b16_cam+c`
(16 px blobs, the noise drawn on the whole frame), 0.24.0's and 0.25.0's
`advect8_12_0.3_g1_w16_o2_cam+c` (the strokes faded from key to key), 0.20.0 to 0.23.0's `advect8_12_0.3_g1_w16_o2+c`,
0.19.0's was `advect8_12_0.3_g1_w16+c`, 0.18.0's `advect8_12_0.3_g1+c`, 0.17.0's `advect8_12_0.3+c`, 0.16.0's `advect8_4_0.3+c`, 0.15.0's `advect8_3_0.3+c` had no zoom pace or contrast, so its
figures are in `blend_colours.json` only).
`+c` after a blend nst_nb ships keeps the colours the network painted (`ColourKept`, `--colours painted`, the default
since 0.15.0); without it the blend's colours are as mixed (`--colours mixed`).
"""
from __future__ import annotations
import argparse, os, sys, tempfile
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json
from nst_nb.video_run import VideoConfig   # no TensorFlow: --help stays quick
from nst_nb.flow import FLOW_PRESETS
from bench_quality import figures
from bench_video import STYLE_FIGURES, make_clips

BLENDS = ['texture', 'linear', 'keep0.3', 'band2_0.3', 'multi1-2-4', 'carry2']
ZOOM = 1.01   # the zoom clip's enlargement from one frame to the next


def high(img, s: float):
    "What a Gaussian blur of `s` px takes out of `img` (float32)."
    import cv2, numpy as np
    img = img.astype(np.float32); return img - cv2.GaussianBlur(img, (0, 0), s)


def multi_restored(p, b, sigmas, where, most: float = 3.0):
    "`b` with each band between successive blurs raised, neighbourhood by neighbourhood, to its contrast in `p`."
    import cv2, numpy as np
    blur = lambda x, s: cv2.GaussianBlur(x, (0, 0), s)
    energy = lambda h, s: blur(np.einsum('ijk,ijk->ij', h, h), 4 * s)
    lp, lb, out = p, b, 0
    for s in sigmas:
        np_, nb = blur(p, s), blur(b, s)
        g = np.clip(np.sqrt((energy(lp - np_, s) + 1) / (energy(lb - nb, s) + 1)), 1, most)[..., None]
        out, lp, lb = out + (1 + (g - 1) * where) * (lb - nb), np_, nb
    return out + lb


def blend_object(name: str):
    "nst_nb's own blend for a name it ships (`texture`, `linear`, `advectN_S[_K][_gG][_wW][_oN][_bB][_dD][_cam]`; `+c`: its colours kept, `ColourKept`), else None."
    from nst_nb.flow import AdvectedBlend, ColourKept, MixedBlend
    base = name.removesuffix('+c')
    if base in ('texture', 'linear'): b = MixedBlend(0.6, base == 'texture')
    elif base.startswith('advect'):
        n, sig, *rest = base[6:].split('_'); rest = [x for x in rest if x != 'cam']   # `_cam`: the motions it is given (`carried_by`)
        k = [float(x) for x in rest if x[:1] not in ('g', 'w', 'o', 'b', 'd')]; g, w, o, bl, d = ([float(x[1:]) for x in rest if x[:1] == c] for c in 'gwobd')
        b = (_other_draw() if d else AdvectedBlend)(int(n), k[0] if k else 0.6, float(sig), grain=g[0] if g else float('inf'), window=w[0] if w else 4.0, oversample=o[0] if o else 1, blob=bl[0] if bl else 2.0)   # no `gG`: all of the detail switched, no `wW`: a 4 px window, no `oN`: keys read as they are, as the names before 0.18.0 / 0.19.0 / 0.20.0 meant
        if d: b.draw = int(d[0])
    else: return None
    return ColourKept(b) if name.endswith('+c') else b


def _other_draw():
    "`AdvectedBlend` whose switch noise is another draw: seeded by the frame's number plus 1000 times `draw` (nst_nb's is draw 0)."
    from nst_nb.flow import AdvectedBlend, switch_order
    class OtherDraw(AdvectedBlend):
        draw = 0
        def _order(self, shape): return switch_order(shape, self.n + 1000 * self.draw, self.blob)
    return OtherDraw


def check_of(name: str, check: str | None = None) -> str:
    "The preset blend `name`'s flow is checked with: `check`, else nst_nb_video's (`check_taken`): fast for a name with `_cam`, the flow's own (medium) for one along the flow."
    from nst_nb.video_run import check_taken
    return check or check_taken(VideoConfig(carry='camera' if '_cam' in name else 'flow'))


def carried_by(name: str, motions: dict, check: str | None = None) -> list:
    "The motions blend `name` is given, of those `painted_runs` found for each check preset: with the camera's (`Motion.steady`, `--carry camera`) for a name with `_cam`, else the flow's alone."
    import dataclasses
    ms = motions[check_of(name, check)]
    return ms if '_cam' in name else [m if m is None else dataclasses.replace(m, steady=None) for m in ms]


def blended(name: str, painted: list, motions: list) -> list:
    "The frames of nst_nb's own blend `name` (`blend_object`), as `nst_nb_video` runs it: each frame from the last one written."
    b, outs = blend_object(name), []
    for p, m in zip(painted, motions): outs.append(b(p, m, outs[-1] if outs else None))
    return outs


def painted_runs(model: str, styles: list, clips: list, frames: int, camera: bool = False, checks: tuple = ('medium',)):
    "Each run's `(style, clip, engine, frames, paintings, motions)`: the test clips (`pan`, `occlusion`, `zoom`, `handheld`) painted by `model` at 256 px; `motions`: for each preset of `checks`, each frame's motion, its flow checked with it, with the camera's if asked."
    import numpy as np
    from nst_nb.flow import motion
    from nst_nb.images import open_image
    from nst_nb.train_settings import network_info, network_settings
    from nst_nb.video import handheld_clip, read_frames, write_clip, zoom_clip
    from nst_nb.video_run import NetworkEngine, VideoConfig
    d = Path(tempfile.mkdtemp(prefix='nst_blend_')); made = make_clips(d, frames, 0)
    rocket = np.asarray(open_image(ROOT / 'images/content/rocket.jpg'))
    made['zoom'] = write_clip(zoom_clip(rocket, frames, (256, 384), ZOOM), d / 'zoom.mp4')
    if 'handheld' in clips: made['handheld'] = write_clip(handheld_clip(rocket, frames, (256, 384)), d / 'handheld.mp4')
    s = network_settings(network_info(model))
    for st in styles:
        eng = NetworkEngine(model, st, s, VideoConfig(height=256))
        for clip in clips:
            fs = list(read_frames(made[clip], 256))
            yield st, clip, eng, fs, [eng.paint(f) for f in fs], {c: [None] + [motion(x, y, camera=camera, check=c) for x, y in zip(fs, fs[1:])] for c in checks}


def blend(name: str, p, prev, m):
    "This frame's painting `p` with the previous blended frame `prev` brought in along the motion `m`, the way `name` says."
    import cv2, numpy as np
    from nst_nb.flow import detail_restored, temporal_blend, warp
    if name == 'frame_by_frame': return p
    if name.startswith('keep'): return temporal_blend(p, prev, m, float(name[4:]), True)
    w, pf = cv2.blur(m.mask.astype(np.float32), (5, 5))[..., None], p.astype(np.float32)
    wp = warp(prev, m.back, True).astype(np.float32); out = pf + 0.6 * w * (wp - pf)
    if name.startswith('band'):
        s, k = map(float, name[4:].split('_'))
        r = detail_restored(pf, cv2.GaussianBlur(out, (0, 0), s) + high(pf, s) + k * w * (high(wp, s) - high(pf, s)), where=w)
    elif name.startswith('multi'): r = multi_restored(pf, out, [float(x) for x in name[5:].split('-')], w)
    elif name.startswith('carry'):
        s = float(name[5:]); r = cv2.GaussianBlur(out, (0, 0), s) + w * high(wp, s) + (1 - w) * high(pf, s)
    else: raise ValueError(f'no blend {name!r}')
    return np.clip(np.round(r), 0, 255).astype(np.uint8)


def split(net, at: int):
    "The lean network cut where its maps are 1/`at` of the frame: `(encode, decode)`, pixels and style weights to maps, maps to pixels."
    import keras, tensorflow as tf
    names = [l.name for l in net.layers]
    cut = [l for l in net.layers if isinstance(l, keras.layers.Add)][-1] if at == 4 else [l for l in net.layers if isinstance(l, keras.layers.ReLU)][-1]
    enc, rest = keras.Model(net.inputs, cut.output), net.layers[names.index(cut.name) + 1:]
    def decode(x, w):
        for l in rest: x = l([x, w]) if type(l).__name__ == 'StyleNorm' else l(x)
        return x
    return enc, tf.function(decode, reduce_retracing=True)


def feature_blended(eng, frames, motions, name: str) -> list:
    "The clip painted with the network's feature maps, not its pixels, blended along the flow (`featN_K`)."
    import cv2, numpy as np, tensorflow as tf
    from nst_nb.network import _cropped, _padded
    from nst_nb.flow import warp
    at, k = name[4:].split('_'); at, k = int(at), float(k)
    if not hasattr(eng, 'cuts'): eng.cuts = {}
    enc, dec = eng.cuts.setdefault(at, split(eng.net, at))
    w = tf.constant([eng.style], tf.float32); outs, prev = [], None
    for f, m in zip(frames, motions):
        h, wd = f.shape[:2]; x = _padded(np.asarray(f, 'float32'))[None]
        maps = enc([tf.constant(x), w], training=False).numpy()[0]
        if m is not None:
            fh, fw = maps.shape[:2]; back = cv2.resize(m.back, (fw, fh), interpolation=cv2.INTER_AREA) * (fw / wd)
            soft = cv2.resize(cv2.blur(m.mask.astype(np.float32), (5, 5)), (fw, fh), interpolation=cv2.INTER_AREA)[..., None]
            maps = maps + k * soft * (warp(prev, back).reshape(maps.shape) - maps)
        prev = maps; outs.append(_cropped(dec(tf.constant(maps[None]), w), h, wd))
    return outs


def anchored(painted, motions, name: str) -> list:
    "The clip's detail carried from key frames in one warp each, not frame to frame (`anchorN_S`, `anchorfadeN_S`)."
    import cv2, numpy as np
    from nst_nb.flow import detail_restored, warp, _grid
    fade = name.startswith('anchorfade'); n, sig = name[10 if fade else 6:].split('_'); n, sig = int(n), float(sig)
    h, w = painted[0].shape[:2]; ys, xs = _grid(h, w); ident = np.dstack([xs, ys]).astype(np.float32)
    keys, outs, low = [], [], None   # keys: (detail of the key painting, where each pixel is in it, where that holds), newest last
    for t, (p, m) in enumerate(zip(painted, motions)):
        pf = p.astype(np.float32); lp = cv2.GaussianBlur(pf, (0, 0), sig)
        if m is not None:
            soft = cv2.blur(m.mask.astype(np.float32), (5, 5))[..., None]
            low = lp + 0.6 * soft * (warp(low, m.back) - lp)
            keys = [(d, warp(c, m.back), np.minimum(warp(v, m.back), m.mask)) for d, c, v in keys]
        else: low = lp
        if t % n == 0: keys = (keys[-1:] if fade else []) + [(pf - lp, ident.copy(), np.ones((h, w), np.float32))]
        own = pf - lp
        def carried(d, c, v):
            v = cv2.blur(v.astype(np.float32), (5, 5))[..., None]
            return v * cv2.remap(d, c[..., 0], c[..., 1], cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE) + (1 - v) * own
        if fade and len(keys) == 2:
            a = (t % n) / n; det = (1 - a) * carried(*keys[0]) + a * carried(*keys[1])
            r = detail_restored(pf, low + det, sigma=sig)
        else: r = low + carried(*keys[-1])
        outs.append(np.clip(np.round(r), 0, 255).astype(np.uint8))
    return outs


def mean_warping_error(outs: list, motions: list) -> float:
    "The mean warping error of frames `outs` along `motions` (one per frame; the first None)."
    import numpy as np
    from nst_nb.flow import warping_error
    return float(np.nanmean([warping_error(a, b, m) for a, b, m in zip(outs, outs[1:], motions[1:])]))


def measure(frames, painted, motions, name: str, style: Path, backbone: str, every: int = 3, eng=None) -> dict:
    "The blend's warping error over the clip and `bench_quality`'s figures of every `every`-th frame (3, prime to the key frames' 8: every phase of a cross-fade)."
    import numpy as np
    if blend_object(name) is not None: outs = blended(name, painted, motions)
    elif name.startswith('feat'): outs = feature_blended(eng, frames, motions, name)
    elif name.startswith('anchor'): outs = anchored(painted, motions, name)
    else:
        outs = [painted[0]]
        for p, m in zip(painted[1:], motions[1:]): outs.append(blend(name, p, outs[-1], m))
    err = mean_warping_error(outs, motions)
    rows = [figures(o, f, str(style), backbone) for i, (f, o) in enumerate(zip(frames, outs)) if i % every == 0]
    return {'warping_error': err, 'figures': {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--model', default='course'); p.add_argument('--styles', nargs='+', default=['gravel', 'brush_strokes'])
    p.add_argument('--clips', nargs='+', default=['pan', 'occlusion', 'zoom']); p.add_argument('--blends', nargs='+', default=BLENDS)
    p.add_argument('--frames', type=int, default=48); p.add_argument('--json')
    p.add_argument('--check', default=None, choices=FLOW_PRESETS, help="the forward flow's preset, which checks the flow back (default: nst_nb_video's, fast for a `_cam` blend, medium along the flow; medium: as up to 0.24.0)")
    a = p.parse_args(argv)
    import numpy as np
    import nst_nb.hardware  # noqa: F401
    from nst_nb.train_settings import network_info, network_settings
    head = machine(network_info(a.model)['backbone'], 'float32'); print_header(head)
    s, res = network_settings(network_info(a.model)), {}
    camera = any('_cam' in b for b in a.blends)   # the camera's motion too (the flicker figure reads the flow's alone)
    checks = {b: check_of(b, a.check) for b in a.blends}; first = checks[a.blends[0]]
    for st, clip, eng, frames, painted, motions in painted_runs(a.model, a.styles, a.clips, a.frames, camera, tuple(set(checks.values()))):
        style = ROOT / 'images/style' / f'{st}.jpg'
        base = res[f'{st} {clip} frame_by_frame'] = measure(frames, painted, motions[first], 'frame_by_frame', style, s.backbone)
        flicker = {c: base['warping_error'] if c == first else mean_warping_error(painted, motions[c]) for c in motions}   # frame by frame's along each check's mask
        for b in a.blends:
            r = res[f'{st} {clip} {b}'] = measure(frames, painted, carried_by(b, motions, a.check), b, style, s.backbone, eng=eng)
            r['flicker_ratio'] = r['warping_error'] / flicker[checks[b]]
            r['changes'] = {k: r['figures'][k] / base['figures'][k] - 1 for k in STYLE_FIGURES}
            print(f"{a.model}, {st}, {clip}, {b:12}: flicker {r['flicker_ratio']:.2f} of frame by frame's; "
                  + ', '.join(f'{k} {v:+.0%}' for k, v in r['changes'].items()), flush=True)
    print(f'\nmeans over {len(a.styles)} styles x {len(a.clips)} clips (worst in brackets); target: flicker <= 0.50, each figure within 10 %')
    summary = {}
    for b in a.blends:
        rs = [res[f'{st} {c} {b}'] for st in a.styles for c in a.clips]
        summary[b] = {'flicker_ratio': float(np.mean([r['flicker_ratio'] for r in rs])), 'flicker_worst': max(r['flicker_ratio'] for r in rs),
                      **{k: float(np.mean([r['changes'][k] for r in rs])) for k in STYLE_FIGURES},
                      **{k + '_worst': max((r['changes'][k] for r in rs), key=abs) for k in STYLE_FIGURES}}
        m = summary[b]
        print(f"{b:12}: flicker {m['flicker_ratio']:.2f} ({m['flicker_worst']:.2f}); " + ', '.join(f"{k} {m[k]:+.0%} ({m[k + '_worst']:+.0%})" for k in STYLE_FIGURES), flush=True)
    finish(head)
    if a.json: write_json(a.json, {'args': {**vars(a), 'checks': checks}, 'summary': summary, 'runs': res}, head)


if __name__ == '__main__':
    sys.exit(main())
