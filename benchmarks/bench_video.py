#!/usr/bin/env python
"""Video on this CPU: frames per second of the network engine (decoding, flow, network, blending and encoding all
counted), flicker by the warping error against frame-by-frame stylisation and the input's own, the style figures of
the frames, memory over a long clip, and the optimisation engine's flicker and time per frame.

The clips are made here from the clone's photos (`nst_nb.video`): a camera pan over the rocket photo enlarged to
480 px height, and a pan over the cat with a striped disc crossing it (occlusions); the long clip pans back and forth.
Every figure is measured in this run, with the CPU named; nothing else should run meanwhile.

    python benchmarks/bench_video.py [--models course course_fast] [--style mosaic] [--blend texture|linear|advect] [--colours painted|mixed] [--carry flow|camera] [--check fast|medium] [--runtimes keras onnx] [--styles all] [--no-fps] [--repeat 3] [--flow-serial] [--frames 48] [--long 1000] [--opt-frames 6] [--json benchmarks/video.json] [--webp FILE.webp]
"""
from __future__ import annotations
import argparse, dataclasses, os, statistics, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, proc_status_mb, verdict, write_json
from bench_quality import figures
from nst_nb.video_run import BLENDS, CARRY, COLOURS, VideoConfig   # no TensorFlow: --help stays quick
from nst_nb.flow import FLOW_PRESETS

HEIGHTS = (256, 360, 480)


def make_clips(d: Path, frames: int, long: int) -> dict:
    "The test clips: a 480 px pan, an occlusion clip, and a long back-and-forth pan."
    import numpy as np
    from PIL import Image
    from nst_nb.images import open_image
    from nst_nb.video import pan_clip, occlusion_clip, write_clip
    rocket = open_image(ROOT / 'images/content/rocket.jpg'); rocket = np.asarray(rocket.resize((rocket.width * 3 // 2, rocket.height * 3 // 2), Image.Resampling.LANCZOS))
    cat = np.asarray(open_image(ROOT / 'images/content/chelsea.jpg'))
    clips = {'pan': write_clip(pan_clip(rocket, frames, (480, 640), (1, 3)), d / 'pan.mp4'),
             'occlusion': write_clip(occlusion_clip(cat, frames, (256, 384), (0, 3), radius=40), d / 'occlusion.mp4')}
    if long:
        def bounce():
            seq = list(pan_clip(cat, 100, (256, 384), (1, 3)))
            for i in range(long): yield seq[i % 200 if i % 200 < 100 else 199 - i % 200]
        clips['long'] = write_clip(bounce(), d / 'long.mp4')
    return clips


def frame_figures(clip: Path, out: Path, style: Path, backbone: str, height: int, every: int = 3) -> dict:
    "`bench_quality`'s figures of every `every`-th stylised frame against its input frame and the style, averaged (3, not 8: `--blend advect`'s key frames come every 8)."
    import numpy as np
    from nst_nb.video import read_frames
    rows = [figures(o, f, str(style), backbone) for i, (f, o) in enumerate(zip(read_frames(clip, height), read_frames(out))) if i % every == 0]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def network_runs(a, model: str, clips: dict, d: Path) -> dict:
    "Frames per second at each height, and flicker and style figures blended against frame by frame, for one network."
    from nst_nb.settings import Settings
    from nst_nb.train_settings import network_info, network_settings
    from nst_nb.video_run import NetworkEngine, VideoConfig, stylise_clip
    s = network_settings(network_info(model)); res = {'fps': {}, 'flicker': {}}
    d = d / Path(model).stem; d.mkdir()   # a shipped network's name, or a file's
    import nst_nb.video_run as vr
    ways = [True, False] if a.flow_serial else [True]   # the flow on its own thread (0.21.0's), and on the main thread (0.20.0's)
    for h, rt in ((h, rt) for h in HEIGHTS if a.fps for rt in a.runtimes):
        for keep in (VideoConfig().keep, 0.0):   # the blend's own keep (None), and frame by frame
            cfg = VideoConfig(height=h, keep=keep, flow=a.flow, blend=a.blend, colours=a.colours, carry=a.carry, check=a.check); eng = NetworkEngine(model, a.style, s, cfg, rt)
            first = stylise_clip(clips['pan'], d / f'warm_{h}_{keep}_{rt}.mp4', eng, dataclasses.replace(cfg, frames=4), progress=False)   # a long clip's steady state:
            runs = {w: [] for w in ways}   # the network traced and its kernels made at this size
            try:
                for r in range(a.repeat):   # the ways taken in turn, first one then the other, so that a slow spell of a shared machine falls on both
                    for w in (ways if r % 2 == 0 else ways[::-1]):
                        vr.FLOW_AHEAD = w; side = stylise_clip(clips['pan'], d / f'net_{h}_{keep}_{rt}_{w}_{r}.mp4', eng, cfg, progress=False); runs[w].append(side)
            finally: vr.FLOW_AHEAD = True
            k = runs[True][0]['video']['keep']   # as the blend took it
            key = f'{h} keep {k:g}' + ('' if rt == 'keras' else f' {rt}')
            for w in ways:
                hist = [x for side in runs[w] for x in side['history'][1:]]; fps = [side['fps_achieved'] for side in runs[w]]
                row = {'fps': statistics.median(fps), 'fps_runs': fps, 'first_frame_ms': 1e3 * first['history'][0]['seconds'], 'flow_ms': 1e3 * sum(r['flow_seconds'] for r in hist) / len(hist),
                       'frame_ms': 1e3 * sum(r['seconds'] for r in hist) / len(hist), 'size': runs[w][0]['size']}
                res['fps'][key + ('' if w else ' flow serial')] = row
                print(f"network {model} ({rt}) at {h} px ({row['size'][0]}x{row['size'][1]}), keep {k:g}, flow {'ahead' if w else 'serial'}: {row['fps']:.1f} frames/s "
                      f"(median of {len(fps)}: {', '.join(f'{x:.1f}' for x in fps)}; a frame {row['frame_ms']:.0f} ms on the main thread, "
                      + ('waiting for its flow and painting, blending, the flicker figures; the flow on a thread beside it ' if w else 'the flow included; ')
                      + f"{row['flow_ms']:.0f} ms; the first frame of a run {row['first_frame_ms']:.0f} ms)", flush=True)
            if a.flow_serial:
                ratio = res['fps'][key]['fps'] / res['fps'][key + ' flow serial']['fps']
                print(f'  the flow ahead: {ratio:.2f}x the frames per second of the flow on the main thread', flush=True)
    res['flicker'] = flicker_runs(a, model, a.style, s, clips, d)
    if a.styles: res['flicker_styles'] = {st: res['flicker'] if st == a.style else flicker_runs(a, model, st, s, clips, d) for st in a.styles}
    return res


def flicker_runs(a, model: str, name_of_style: str, s, clips: dict, d: Path) -> dict:
    "Flicker and style figures, blended against frame by frame, on both clips, for one network and style."
    from nst_nb.video_run import NetworkEngine, VideoConfig, stylise_clip
    style, res = ROOT / 'images/style' / f'{name_of_style}.jpg', {}
    for name in ('pan', 'occlusion'):
        f = {}
        for keep in (None, 0.0):   # the blend's own keep, and frame by frame
            cfg = VideoConfig(height=256, keep=keep, flow=a.flow, blend=a.blend, colours=a.colours, carry=a.carry, check=a.check); out = d / f'flicker_{name}_{keep}.mp4'
            if name_of_style != a.style: out = out.with_name(f'{name_of_style}_{out.name}')
            side = stylise_clip(clips[name], out, NetworkEngine(model, name_of_style, s, cfg, a.runtimes[0]), cfg, progress=False)
            f['input'], f['along'] = side['flicker']['input_warping_error'], side['flicker'].get('along')   # the same clip and motion both times: the flow, or steadied by the camera's (`--carry camera`)
            kind = 'blended' if keep is None else 'frame_by_frame'
            f[kind] = side['flicker']['warping_error']; f[kind + '_figures'] = frame_figures(clips[name], out, style, s.backbone, 256)
        res[name] = f
        ratio = f['blended'] / f['frame_by_frame']
        ch = changes(f)
        print(f"{model}, {name_of_style}, {name} at 256 px: warping error input {f['input']:.5f}, frame by frame {f['frame_by_frame']:.5f}, blended {f['blended']:.5f} "
              f"= {ratio:.2f} of frame by frame [target <= 0.5: {verdict(ratio <= 0.5)}]; against frame by frame: "
              + ', '.join(f'{k} {v:+.1%}' for k, v in ch.items()) + f" [target each within 10 %: {verdict(all(abs(v) <= 0.10 for v in ch.values()))}]", flush=True)
    return res


STYLE_FIGURES = ('style_sw', 'colour_sw', 'gabor', 'lbp', 'lbp_smooth')   # the style figures (`lbp_smooth` since 0.17.0): within 10 % of frame by frame's


def changes(f: dict) -> dict:
    "Each style figure of the blended frames against frame by frame's, as a relative change."
    return {k: f['blended_figures'][k] / f['frame_by_frame_figures'][k] - 1 for k in STYLE_FIGURES}


def summary(nets: dict) -> None:
    "Over every style measured, for each network: the flicker ratios, and how many styles keep each figure within 10 % on both clips."
    import numpy as np
    for model, r in nets.items():
        runs = r.get('flicker_styles') or {'(one style)': r['flicker']}
        ratios = [f['blended'] / f['frame_by_frame'] for st in runs.values() for f in st.values()]
        print(f"{model} over {len(runs)} styles x 2 clips: flicker {min(ratios):.2f}-{max(ratios):.2f} of frame by frame's; styles within 10 % on both clips: "
              + ', '.join(f"{k} {sum(all(abs(changes(f)[k]) <= 0.10 for f in st.values()) for st in runs.values())}" for k in STYLE_FIGURES)
              + '; mean change ' + ', '.join(f"{k} {np.mean([changes(f)[k] for st in runs.values() for f in st.values()]):+.0%}" for k in STYLE_FIGURES), flush=True)


def memory_run(a, clips: dict, d: Path) -> dict:
    "Resident memory after 100, 500 and all frames of the long clip, with the network engine at 256 px."
    from nst_nb.train_settings import network_info, network_settings
    from nst_nb.video_run import NetworkEngine, VideoConfig, stylise_clip
    s, marks = network_settings(network_info(a.models[0])), {}
    def mark(i, frame, row):
        if i + 1 in (10, 100, 500, a.long): marks[i + 1] = proc_status_mb('VmRSS')
    cfg = VideoConfig(height=256, flow=a.flow, blend=a.blend, colours=a.colours, carry=a.carry, check=a.check)
    side = stylise_clip(clips['long'], d / 'long_out.mp4', NetworkEngine(a.models[0], a.style, s, cfg, a.runtimes[0]), cfg, progress=False, on_frame=mark)
    print(f"memory over {side['frames']} frames at 256 px: " + ', '.join(f'{v:.0f} MB after {k}' for k, v in marks.items()) +
          f"; {side['fps_achieved']:.1f} frames/s", flush=True)
    return {'rss_mb': marks, 'fps': side['fps_achieved'], 'frames': side['frames']}


def optimisation_runs(a, clips: dict, d: Path) -> dict:
    "The optimisation engine against each frame optimised on its own with the same settings: flicker, figures, time per frame."
    from nst_nb.settings import Settings
    from nst_nb.video_run import OptimisationEngine, VideoConfig, stylise_clip
    style = ROOT / 'images/style' / f'{a.style}.jpg'; s = Settings(backbone=a.backbone); res = {}
    class Alone(OptimisationEngine):   # every frame as if it were the first
        def __call__(self, frame, prev, m): return super().__call__(frame, None, None)
    for name, E in (('temporal', OptimisationEngine), ('frame_by_frame', Alone)):
        cfg = VideoConfig(height=a.opt_height, frames=a.opt_frames); out = d / f'opt_{name}.mp4'
        side = stylise_clip(clips['occlusion'], out, E([str(style)], s, cfg), cfg, progress=False)
        later = side['history'][1:]
        res[name] = {'warping_error': side['flicker']['warping_error'], 'input_warping_error': side['flicker']['input_warping_error'],
                     'first_frame_s': side['history'][0]['seconds'], 'later_frame_s': sum(r['seconds'] for r in later) / len(later),
                     'figures': frame_figures(clips['occlusion'], out, style, s.backbone or 'vgg16-hed', a.opt_height, every=2)}
        r = res[name]
        print(f"optimisation, {name}, {a.opt_frames} frames at {a.opt_height} px: warping error {r['warping_error']:.5f} (input {r['input_warping_error']:.5f}); "
              f"first frame {r['first_frame_s']:.0f} s, later frames {r['later_frame_s']:.0f} s each; style_sw {r['figures']['style_sw']:.3f}", flush=True)
    ratio = res['temporal']['warping_error'] / res['frame_by_frame']['warping_error']
    sw = res['temporal']['figures']['style_sw'] / res['frame_by_frame']['figures']['style_sw'] - 1
    print(f"optimisation: temporal = {ratio:.2f} of frame by frame's warping error [target <= 0.5: {verdict(ratio <= 0.5)}]; "
          f"style_sw {sw:+.1%} [target within 10 %: {verdict(abs(sw) <= 0.10)}]", flush=True)
    return res


def webp(a, clips: dict, d: Path, path: Path):
    "An animated WebP for the course (small): frame by frame and blended side by side, 128 px, half speed."
    import numpy as np
    from nst_nb.video import read_frames, save_animation
    d = d / a.models[0]; pair = zip(read_frames(d / 'flicker_occlusion_0.0.mp4', 128), read_frames(d / 'flicker_occlusion_None.mp4', 128))
    save_animation((np.concatenate(t, 1) for i, t in enumerate(pair) if i < 20), path, 12, quality=45)
    print(f'wrote {path} ({path.stat().st_size / 1024:.0f} KB)', flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--models', nargs='+', default=['course', 'course_fast'], help='networks to time and measure (the first: memory and the WebP)')
    p.add_argument('--style', default='mosaic'); p.add_argument('--flow', default='medium', help='the flow preset of the network runs')
    p.add_argument('--blend', default=VideoConfig.blend, choices=BLENDS, help=f"the network engine's blend: {', '.join(BLENDS)} (default: nst_nb_video's, {VideoConfig.blend})")
    p.add_argument('--colours', default=VideoConfig.colours, choices=COLOURS, help=f"each blended frame's colours: {' or '.join(COLOURS)} (default: nst_nb_video's, {VideoConfig.colours})")
    p.add_argument('--check', default=VideoConfig.check, choices=FLOW_PRESETS, help="the network's forward flow's preset, which checks the flow back (default: nst_nb_video's, fast with --carry camera, else --flow's; medium: as up to 0.24.0)")
    p.add_argument('--carry', default=VideoConfig.carry, choices=CARRY, help=f"what carries the strokes: {' or '.join(CARRY)} (default: nst_nb_video's, {VideoConfig.carry})")
    p.add_argument('--styles', nargs='*', default=[], help="flicker and style figures for these styles too (`all`: the network's every style)")
    p.add_argument('--runtimes', nargs='+', default=['keras'], choices=['keras', 'onnx'], help='what runs the networks (frames per second for each; the other figures: the first)')
    p.add_argument('--no-fps', dest='fps', action='store_false', help='skip the frames-per-second runs')
    p.add_argument('--repeat', type=lambda x: max(1, int(x)), default=1, help='runs of the pan for each frames-per-second figure (their median)')
    p.add_argument('--flow-serial', action='store_true', help='also time each with the flow found on the main thread, as up to 0.20.0, taking turns with the flow ahead')
    p.add_argument('--frames', type=int, default=48, help='frames of the pan and occlusion clips')
    p.add_argument('--long', type=int, default=1000, help='frames of the clip memory is watched over (0: skip)')
    p.add_argument('--opt-frames', type=int, default=6, help='frames for the optimisation engine (0: skip)')
    p.add_argument('--opt-height', type=int, default=192); p.add_argument('--backbone', default='vgg16-hed')
    p.add_argument('--json', default=None); p.add_argument('--webp', default=None, help='an animated WebP: input, frame by frame, blended')
    a = p.parse_args(argv)
    import nst_nb.hardware  # noqa: F401
    from nst_nb.train_settings import network_info
    head = machine(network_info(a.models[0])['backbone'], 'float32'); print_header(head)
    if a.styles == ['all']: a.styles = network_info(a.models[0])['styles']
    d = Path(tempfile.mkdtemp(prefix='nst_video_'))
    t = time.perf_counter(); clips = make_clips(d, a.frames, a.long); print(f'clips made in {time.perf_counter() - t:.0f} s', flush=True)
    res = {'networks': {m: network_runs(a, m, clips, d) for m in a.models}}
    summary(res['networks'])
    if a.webp: webp(a, clips, d, Path(a.webp))
    if a.long: res['memory'] = memory_run(a, clips, d)
    if a.opt_frames: res['optimisation'] = optimisation_runs(a, clips, d)
    from nst_nb.video_run import check_taken
    res['args'] = {**vars(a), 'check_taken': check_taken(VideoConfig(flow=a.flow, carry=a.carry, check=a.check))}; finish(head)
    if a.json: write_json(a.json, res, head)
    return res


if __name__ == '__main__':
    main()
