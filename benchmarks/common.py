"""What every nst_nb benchmark shares: the machine header, a stopwatch, peak memory, measured child processes and the
JSON result files.

Every benchmark prints and stores the same header (`machine`, `print_header`, `finish`): the CPU's model and vector
flags (AVX2, AVX-512, AVX512-BF16, AMX), cores and RAM, the load average before and after (the machine is shared: a
load above the core count means the figures are inflated), TensorFlow's threads, the versions, the precision and the
date. The scripts run as `python benchmarks/bench_x.py`, so this folder is on `sys.path` and they `from common import`.

Importing this module loads no TensorFlow, so `--help` stays instant and a parent that only times children stays light
until it builds its header. `nst_hardware` is the one place a benchmark imports nst_nb's CPU functions.
"""
from __future__ import annotations
import json, math, os, platform, resource, signal, subprocess, sys, tempfile, time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
NAN = float('nan')
CPU_FORMS = ('model', 'line', 'dict')
THREAD_VARS = ('TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')


# The machine header

def nst_hardware() -> dict:
    "This machine as nst_nb sees it: `cpu_info()`, `cpu_line()`, precision 'auto' resolved, TensorFlow's threads, the GPU."
    from nst_nb.hardware import cpu_info, cpu_line, resolve_precision, threads   # the one place (imports TensorFlow)
    import tensorflow as tf
    info, gpus = cpu_info(), tf.config.list_physical_devices('GPU')
    return {'info': info, 'line': cpu_line(info), 'precision_auto': resolve_precision('auto'), 'threads': threads(),
            'gpu': f'GPU: {gpus[0].name}' if gpus else 'GPU: none visible to TensorFlow (CPU figures only)'}


def load_average() -> list[float]:
    "The load average over 1, 5 and 15 minutes (nan where the system has none)."
    try: return [round(v, 2) for v in os.getloadavg()]
    except OSError: return [NAN] * 3


def ram_gib() -> float:
    "The machine's memory in GiB (nan where the system does not say)."
    try: return round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30, 1)
    except (ValueError, OSError, AttributeError): return NAN


def version(module: str, *dists: str) -> str:
    "The version of `module` as loaded, else of the first installed distribution of `dists`, read without importing it ('' if none)."
    if getattr(sys.modules.get(module), '__version__', None): return sys.modules[module].__version__
    for d in dists or (module,):
        try: return metadata.version(d)
        except metadata.PackageNotFoundError: pass
    return ''


def versions() -> dict:
    "The versions a benchmark's figures depend on."
    import nst_nb
    return {'nst_nb': nst_nb.__version__, 'tensorflow': version('tensorflow', 'tensorflow', 'tensorflow-cpu', 'tf-nightly'),
            'keras': version('keras'), 'numpy': version('numpy'), 'python': platform.python_version()}


def cpu_field(info: dict, line: str, form: str) -> str | dict:
    "The header's 'cpu' in the form each result file has always stored: the model, `cpu_line`, or a dict with the flags present."
    if form == 'model': return info['model']                      # results.json (chapter 19)
    if form == 'line': return line                                 # default.json (chapter 17), tiles.json (chapter 21)
    return {'model': info['model'], 'cores': info['cores'], 'flags': [f for f, v in info['flags'].items() if v],
            'onednn_max_isa': os.environ.get('ONEDNN_MAX_CPU_ISA', '')}   # quality.json (chapter 17)


def machine(backbone: str | None = None, # the backbone the benchmark runs
            precision: str = 'auto', # the precision it asks for
            cpu_as: str = 'model', # 'cpu' as this script's JSON has it: 'model', 'line' or 'dict' (`cpu_field`)
            **extra, # more fields for this benchmark's header
           ) -> dict:
    "The header of a benchmark: CPU model, flags and cores, RAM, load average before, threads, versions, precision, date."
    if cpu_as not in CPU_FORMS: raise ValueError(f'cpu_as must be one of {CPU_FORMS}, not {cpu_as!r}.')
    hw = nst_hardware(); info = hw['info']
    return {'cpu': cpu_field(info, hw['line'], cpu_as), 'cpu_model': info['model'], 'cpu_flags': info['flags'],
            'cores': info['cores'], 'cpu_line': hw['line'], 'onednn_max_isa': os.environ.get('ONEDNN_MAX_CPU_ISA', ''),
            'ram_gib': ram_gib(), 'gpu': hw['gpu'], 'threads': hw['threads'],
            'thread_env': {k: os.environ[k] for k in THREAD_VARS if os.environ.get(k)}, **versions(),
            'backbone': backbone, 'precision': precision, 'precision_auto': hw['precision_auto'],
            'date': time.strftime('%Y-%m-%d %H:%M %Z'), 'load_before': load_average(), **extra}


def header_lines(head: dict) -> list[str]:
    "`machine()`'s header as the lines a benchmark prints first."
    isa = f", oneDNN limited to {head['onednn_max_isa']}" if head['onednn_max_isa'] else ''
    t = head['threads']
    env = ''.join(f', {k}={v}' for k, v in head['thread_env'].items())
    prec = (f"precision 'auto' = {head['precision_auto']}" if head['precision'] == 'auto' else
            f"precision {head['precision']} ('auto' would be {head['precision_auto']})")
    return [f"CPU: {head['cpu_line']}{isa}; {head['ram_gib']} GiB RAM; {head['gpu']}",
            f"threads: TensorFlow intra-op {t.get('intra_op') or 'default'}, inter-op {t.get('inter_op') or 'default'}{env}",
            f"nst_nb {head['nst_nb']}, TensorFlow {head['tensorflow']}, Keras {head['keras']}, NumPy {head['numpy']}, "
            f"Python {head['python']}; backbone {head['backbone']}; {prec}",
            f"{head['date']}; load average before: {head['load_before']} (1/5/15 min; above {head['cores']}: other work shares the CPU)"]


def print_header(head: dict):
    "Print `machine()`'s header."
    print('\n'.join(header_lines(head)), flush=True)


def finish(head: dict) -> dict:
    "Add the load average after the benchmark to its header, and print it."
    head['load_after'] = load_average()
    print(f"load average after: {head['load_after']} (1/5/15 min; above {head['cores']}: other work shared the CPU)", flush=True)
    return head


def verdict(ok: bool) -> str: return 'MET' if ok else 'NOT MET'


# Time

def clock() -> tuple[float, float]:
    "Wall time and this process's CPU time (all threads), in seconds."
    return time.perf_counter(), time.process_time()


@contextmanager
def stopwatch():
    "Wall and CPU seconds (this process, all threads) of a `with` block: `with stopwatch() as t: ...`, then `t.wall_s`, `t.cpu_s`."
    t, (w0, c0) = SimpleNamespace(wall_s=NAN, cpu_s=NAN), clock()
    try: yield t
    finally:
        w1, c1 = clock()
        t.wall_s, t.cpu_s = w1 - w0, c1 - c0


# Memory (MB: 2**20 bytes)

def proc_status_mb(key: str, # 'VmRSS' (now) or 'VmHWM' (the peak since the start or the last `reset_peak_rss`)
                   pid: int | str = 'self', # whose
                  ) -> float:
    "A memory figure of a process from /proc in MB; nan without /proc."
    try:
        with open(f'/proc/{pid}/status') as f: return next(int(l.split()[1]) for l in f if l.startswith(key + ':')) / 1024
    except (OSError, StopIteration): return NAN


def reset_peak_rss() -> bool:
    "Reset this process's peak RSS to its current RSS (Linux >= 4.0: /proc/self/clear_refs); False if not possible."
    try:
        with open('/proc/self/clear_refs', 'w') as f: f.write('5')
        return True
    except OSError: return False


def maxrss_mb() -> float:
    "`getrusage().ru_maxrss` of this process in MB: its peak RSS, and (Linux) at least its parent's peak when it was started."
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == 'darwin' else r / 1024


def peak_mb() -> float:
    "This process's own peak RSS in MB (`VmHWM`; `maxrss_mb()` without /proc)."
    p = proc_status_mb('VmHWM')
    return maxrss_mb() if math.isnan(p) else p


# A measurement in a fresh process

# The child is started by this small launcher, which times it and reads its peak with `os.wait4`. Started from the
# benchmark itself, a child's `ru_maxrss` would be at least the benchmark's own peak RSS (Linux keeps the peak of the
# image it replaced at exec, and Python starts children by vfork); the launcher's peak is a few MB.
LAUNCHER = """import json, os, sys, time
t = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, ru = os.wait4(pid, 0)
out = {'wall_s': time.perf_counter() - t, 'returncode': os.waitstatus_to_exitcode(status),
       'cpu_s': ru.ru_utime + ru.ru_stime, 'peak_kib': ru.ru_maxrss}
with open(sys.argv[1], 'w') as f: json.dump(out, f)
"""


def run_measured(cmd: list[str], # the command, as a user would start it
                 env: dict | None = None, # added to this process's environment
                 check: bool = True, # end the benchmark with its stderr when it fails
                ) -> dict:
    """Run `cmd` to its end in a fresh process, timed from outside (its start included): wall and CPU seconds, peak
    RSS in MB (`peak_mb`, its own), `returncode`, `stdout` and `stderr`."""
    fd, path = tempfile.mkstemp(prefix='nst_bench_', suffix='.json'); os.close(fd)
    try:
        p = subprocess.Popen([sys.executable, '-I', '-S', '-c', LAUNCHER, path, *map(str, cmd)], env={**os.environ, **(env or {})},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors='replace', start_new_session=True)
        try: stdout, stderr = p.communicate()
        except BaseException:                       # Ctrl-C, say: end the child too, not only its launcher
            os.killpg(p.pid, signal.SIGKILL); p.wait(); raise
        m = json.loads(Path(path).read_text() or 'null') or {'wall_s': NAN, 'returncode': p.returncode, 'cpu_s': NAN, 'peak_kib': NAN}
    finally: os.unlink(path)
    out = {'wall_s': m['wall_s'], 'cpu_s': m['cpu_s'], 'peak_mb': m['peak_kib'] / 1024, 'returncode': m['returncode'],
           'stdout': stdout, 'stderr': stderr}
    if check and out['returncode']: raise SystemExit(f"failed ({out['returncode']}): {' '.join(map(str, cmd))}\n{stderr[-2000:]}")
    return out


def last_json(text: str):
    "What a child printed as its last line, read as JSON (how a child hands its figures back)."
    return json.loads(text.strip().splitlines()[-1])


# Result files

def write_json(path: str | os.PathLike, # the result file
               figures: dict, # what the benchmark measured
               head: dict, # `machine()`'s header
               key: str | None = 'header', # where the header goes: under this key first, or None: merged at the top level
              ) -> Path:
    "Write a benchmark's figures with its machine header in them, whole or not at all (NaN stays NaN)."
    path = Path(path)
    data = {**head, **figures} if key is None else {key: head, **figures}
    tmp = path.with_name(f'.{path.name}.tmp')
    tmp.write_text(json.dumps(data, indent=1, default=str) + '\n')
    os.replace(tmp, path)
    return path


def lean_half(styles: int, width: int, blocks: int, separable: bool, half: int | None = None):
    "For the probes that change the lean network's last stage: its inputs, its scaled pixels and its half-size maps (chapter 22's `lean_body` up to its last resize; `half` maps there, else `width`)."
    import keras
    import nst_nb.network as N
    img, w = keras.Input((None, None, 3), name='pixels'), keras.Input((styles,), name='style')
    x0 = keras.layers.Rescaling(1 / 127.5, -1)(img)
    x = N.conv_block(N.conv_block(x0, w, width, stride=2), w, 2 * width, stride=2)
    for _ in range(blocks): x = N.residual_block(x, w, separable)
    return img, w, x0, N.up_block(x, w, half or width)


def probe_net(img, w, x, name: str):
    "A probe's network from `lean_half`'s inputs and its last maps `x`: the tanh to pixels, as `transform_net` ends."
    import keras
    out = keras.layers.Rescaling(127.5, 127.5)(keras.layers.Activation('tanh')(x))
    return keras.Model([img, w], out, name=name)


def train_probe(build, copy, out: str, steps: int, init: str = 'course', settings=None, **cfg):
    "Train a probe's network (`build`, a `transform_net` factory; `copy`, how it takes `init`'s weights) as `nst_nb_train --init` trains: the same photos, crops and seed, and its loss unless `settings` says otherwise."
    import nst_nb.training as T
    from nst_nb.train_settings import TrainConfig, network_info
    T.transform_net, T.extend = build, copy   # the probe's network, in the training loop as it is
    styles = [ROOT / 'images/style' / f'{s}.jpg' for s in network_info(init)['styles']]
    T.train(styles, out, TrainConfig(steps=steps, every=250, **cfg), settings=settings, init=init)


def start_gap(net, base):
    "How far a probe's first picture is from `base`'s on a random 64 px picture, in grey levels: the differences, (1, H, W, 3)."
    import numpy as np
    n = base.inputs[1].shape[-1]
    x = np.random.default_rng(0).uniform(0, 255, (1, 64, 64, 3)).astype('float32'); w = np.eye(n, dtype='float32')[:1]
    return np.abs(net([x, w]).numpy() - base([x, w]).numpy())
