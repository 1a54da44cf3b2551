"""Batch runs on a local Ray cluster (2 CPUs): the same files and pictures as the local runner, a corrupt input
reported, a worker killed mid-run retried with nothing lost, Ctrl-C cancelling what is left, and `nst_nb_batch --ray`;
batches of clips on Ray (`nst_nb.clips`): the same frames and sidecars as painted here, and `nst_nb_video --ray`.

Run with `pytest tests/test_ray.py` (about a minute on 2 cores); skipped where Ray is not installed
(`pip install -e ".[dev,ray]"`)."""
import json, os, signal, threading, time, unittest.mock
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ray = pytest.importorskip('ray')
os.environ.setdefault('NST_NB_BACKBONE', 'vgg16-hed')     # the offline backbone
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

from nst_nb.batch import run_batch
from nst_nb.runtime import set_threads
try: set_threads(1, 1); SAME_THREADS = True     # the local runner as a 1-CPU task: the same float32 sums, the same pictures
except RuntimeError: SAME_THREADS = False        # TensorFlow already ran in this process: pictures may differ by a level
from nst_nb.cli import batch_main
from nst_nb.result import load_sidecar

IMG = Path(__file__).resolve().parent.parent / 'images'
RUN = dict(size=64, iterations=4, backbone='vgg16-hed', progress=False)


@pytest.fixture(scope='module')
def cluster():
    "A local Ray cluster of 2 CPUs for this module (`run_batch` uses it, and leaves it running)."
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level='WARNING',
             runtime_env={'env_vars': {'TF_CPP_MIN_LOG_LEVEL': '2'}})
    yield
    ray.shutdown()


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    "Two photos, a corrupt 'photo' between them, and two styles."
    d = tmp_path_factory.mktemp('inputs')
    (d / 'broken.jpg').write_bytes(b'\xff\xd8\xff\xe0 not really a JPEG')
    return [IMG / 'content' / 'chelsea.jpg', d / 'broken.jpg', IMG / 'content' / 'rocket.jpg'], [IMG / 'style' / 'waves.jpg', IMG / 'style' / 'brick.jpg']


@pytest.fixture(scope='module')
def local(inputs, tmp_path_factory):
    "The local runner's batch, to compare with."
    return run_batch(*inputs, tmp_path_factory.mktemp('local'), **RUN)


def pixels(path) -> np.ndarray: return np.asarray(Image.open(path))


def same_outputs(a, b):
    "Two batches wrote the same files, statuses, errors, pictures (bit for bit), settings and losses."
    names = lambda d: sorted(f.name for f in Path(d).iterdir())
    assert names(a.out_dir) == names(b.out_dir)
    assert [(p.name, p.status, p.error) for p in a.pairs] == [(p.name, p.status, p.error) for p in b.pairs]
    for p, q in zip(a.pairs, b.pairs):
        if p.status != 'done': continue
        if SAME_THREADS: assert np.array_equal(pixels(p.image), pixels(q.image)), p.name
        else: assert np.abs(pixels(p.image).astype(int) - pixels(q.image)).mean() < 1, p.name
        sp, sq = load_sidecar(p.image), load_sidecar(q.image)
        assert sp['settings'] == sq['settings'] and sp['sources'] == sq['sources']
        # the losses agree to float32 rounding: a sum over 1 thread and over 2 differ in the last bits
        assert np.allclose([h['total'] for h in sp['history']], [h['total'] for h in sq['history']], rtol=1e-5)
    ja, jb = (json.loads((x.out_dir / 'batch.json').read_text()) for x in (a, b))
    assert ja['counts'] == jb['counts'] and ja['settings'] == jb['settings']


def test_same_as_local(cluster, inputs, local, tmp_path):
    b = run_batch(*inputs, tmp_path / 'ray', executor='ray', ray_cpus=1, **RUN)
    assert [p.status for p in b.pairs] == ['done', 'done', 'failed', 'failed', 'done', 'done']
    assert all('broken.jpg is truncated or corrupt' in p.error or 'broken.jpg is not an image file' in p.error
               for p in b.pairs if p.status == 'failed'), [p.error for p in b.pairs]
    same_outputs(local, b)
    for p in b.pairs:
        if p.status == 'done': assert load_sidecar(p.image)['timings']['threads']['intra_op'] == 1   # threads = the task's CPUs


def ray_pair_pids() -> list[int]:
    "Processes of this machine that run a pair now (Ray names a worker's process after its task)."
    pids = []
    for d in Path('/proc').iterdir():
        try:
            if d.name.isdigit() and (d / 'cmdline').read_bytes().startswith(b'ray::_ray_pair'): pids.append(int(d.name))
        except OSError: pass
    return pids


def test_worker_killed_is_retried(cluster, inputs, local, tmp_path):
    killed = []
    def kill_one():
        "Kill the first worker seen running a pair."
        t0 = time.time()
        while not killed and time.time() - t0 < 120:
            pids = ray_pair_pids()
            if pids: os.kill(pids[0], signal.SIGKILL); killed.append(pids[0])
            time.sleep(0.02)
    killer = threading.Thread(target=kill_one, daemon=True); killer.start()
    b = run_batch(*inputs, tmp_path / 'ray', executor='ray', ray_cpus=1, **RUN)
    killer.join()
    assert killed, 'no worker was seen running a pair'
    retried = [p for p in b.pairs if p.retried]
    assert len(retried) == 1 and 'WorkerCrashedError' in retried[0].retried and retried[0].status == 'done', [p.record() for p in b.pairs]
    rec = json.loads((b.out_dir / 'batch.json').read_text())
    assert [p['retried'] is not None for p in rec['pairs']] == [bool(p.retried) for p in b.pairs]
    same_outputs(local, b)                               # nothing lost: every picture as the local runner made it


def test_ctrl_c_cancels_the_rest(cluster, inputs, tmp_path):
    real_wait, back = ray.wait, []
    def wait_then_ctrl_c(refs, **kw):
        "Ray's wait until a pair is back; then a Ctrl-C, where one lands while the batch waits."
        if back: raise KeyboardInterrupt
        ready, rest = real_wait(refs, **kw)
        back.extend(ready)
        return ready, rest
    contents, styles = inputs
    with unittest.mock.patch.object(ray, 'wait', wait_then_ctrl_c):
        b = run_batch([contents[0], contents[2]], styles + [IMG / 'style' / 'mosaic.jpg'], tmp_path / 'stopped', executor='ray', ray_cpus=1, **RUN)
    assert b.stopped == 'interrupted (Ctrl-C)'
    statuses = [p.status for p in b.pairs]
    assert sorted(statuses) == ['done'] + ['not run'] * 5, statuses
    for p in b.pairs:
        assert (tmp_path / 'stopped' / f'{p.name}.png').exists() == (p.status == 'done')
    again = run_batch([contents[0], contents[2]], styles + [IMG / 'style' / 'mosaic.jpg'], tmp_path / 'stopped', executor='ray', ray_cpus=1, resume=True, **RUN)
    assert [p.status for p in again.pairs] == ['skipped' if s == 'done' else 'done' for s in statuses]


def test_command_line(cluster, inputs, tmp_path, capsys):
    contents, styles = inputs
    argv = [contents[0], '--styles', styles[0], '-o', tmp_path / 'cli', '--size', 64, '--iterations', 3, '--backbone', 'vgg16-hed', '--ray', '--ray-cpus', 1]
    assert batch_main(argv) == 0
    out = capsys.readouterr()
    assert '1 pairs: 1 done' in out.out and '1 running' in out.err, out
    assert (tmp_path / 'cli' / 'chelsea__waves.png').exists() and (tmp_path / 'cli' / 'contact_sheet.png').exists()
    assert batch_main(argv + ['--resume', '-q']) == 0
    assert json.loads((tmp_path / 'cli' / 'batch.json').read_text())['counts']['skipped'] == 1


# Batches of clips (`nst_nb.clips`): each clip a Ray task, painted by the shipped `course_fast` at 64 px.
from nst_nb.clips import run_clips
from nst_nb.settings import Settings
from nst_nb.video import pan_clip, zoom_clip, write_clip
from nst_nb.video_run import EngineSpec, VideoConfig
from nst_nb.video_cli import video_main

SPEC = EngineSpec(Settings(backbone='vgg16-hed'), VideoConfig(height=64), model='course_fast', style=[0.0] * 6 + [1.0])


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    "A folder of two small clips made by the project: a pan over the cat, a zoom into the rocket (a dot in its name)."
    d = tmp_path_factory.mktemp('clips')
    photo = lambda name: np.asarray(Image.open(IMG / 'content' / name).convert('RGB'))
    write_clip(pan_clip(photo('chelsea.jpg'), 6, (96, 144), (1, 3)), d / 'pan.mp4')
    write_clip(zoom_clip(photo('rocket.jpg'), 6, (96, 144), 1.02), d / 'zoom.v2.mp4')   # a dot: a frames folder 'zoom_v2'
    return d


def test_clips_same_as_local(cluster, clips, tmp_path):
    here = run_clips(clips, tmp_path / 'here', SPEC, output='frames', progress=False)
    there = run_clips(clips, tmp_path / 'ray', SPEC, output='frames', progress=False, executor='ray', ray_cpus=1)
    assert [(j.name, j.status, j.frames) for j in there.jobs] == [('pan', 'done', 6), ('zoom_v2', 'done', 6)], [j.record() for j in there.jobs]
    assert sorted(p.name for p in (tmp_path / 'ray').iterdir()) == sorted(p.name for p in (tmp_path / 'here').iterdir())
    for a, b in zip(here.jobs, there.jobs):
        fa, fb = sorted(a.output.glob('frame_*.png')), sorted(b.output.glob('frame_*.png'))
        assert [p.name for p in fa] == [p.name for p in fb] and len(fa) == 6
        for x, y in zip(fa, fb):
            if SAME_THREADS: assert np.array_equal(pixels(x), pixels(y)), x.name
            else: assert np.abs(pixels(x).astype(int) - pixels(y)).mean() < 1, x.name
        sa, sb = (json.loads((p.parent / (p.name + '.json')).read_text()) for p in (a.output, b.output))
        assert sb['source'] == str(b.clip.resolve()) == sa['source']      # this machine's path, not the worker's
        assert sa['engine'] == sb['engine'] and sa['video'] == sb['video'] and sa['frames'] == sb['frames']
        assert np.allclose([r.get('warping_error', 0) for r in sa['history']], [r.get('warping_error', 0) for r in sb['history']], rtol=1e-3)
    rec = json.loads((tmp_path / 'ray' / 'clips.json').read_text())
    assert rec['executor'] == 'ray' and rec['counts']['done'] == 2
    assert [c['runtime'] for c in rec['clips']] == [j.runtime for j in here.jobs] == ['keras', 'keras']   # what painted each clip, from its sidecar


def test_clips_command_line(cluster, clips, tmp_path, capsys):
    argv = [clips, '--model', 'course_fast', '--style', 'waves', '-o', tmp_path / 'cli', '--height', 64, '--ray', '--ray-cpus', 1]
    assert video_main(argv) == 0
    out = capsys.readouterr()
    assert '2 done' in out.out, out
    assert {p.name for p in (tmp_path / 'cli').iterdir()} == {'clips.json', 'pan.mp4', 'pan.json', 'zoom.v2.mp4', 'zoom.v2.json'}
    assert video_main(argv + ['--resume', '-q']) == 0
    assert json.loads((tmp_path / 'cli' / 'clips.json').read_text())['counts']['kept'] == 2


def test_clip_stopped_here_is_finished_on_ray(cluster, clips, tmp_path):
    from nst_nb.events import Listener
    from nst_nb.stopping import STOP, INTERRUPTED
    class StopAfter3(Listener):
        def on_frame_done(self, e):
            if e.index == 2: STOP.request(INTERRUPTED)
    try: part = run_clips(clips, tmp_path / 'b', SPEC, progress=False, listeners=[StopAfter3()])
    finally: STOP.clear()
    assert [(j.status, j.frames) for j in part.jobs] == [('interrupted', 3), ('not run', 0)]
    assert (tmp_path / 'b' / 'pan.mp4.parts' / 'state.json').exists()
    rest = run_clips(clips, tmp_path / 'b', SPEC, progress=False, resume=True, executor='ray', ray_cpus=1)
    assert [(j.status, j.frames) for j in rest.jobs] == [('done', 6), ('done', 6)], [j.record() for j in rest.jobs]
    assert not (tmp_path / 'b' / 'pan.mp4.parts').exists()           # the stopped run's parts went with it
    again = run_clips(clips, tmp_path / 'b', SPEC, progress=False, resume=True, executor='ray', ray_cpus=1)
    assert [j.status for j in again.jobs] == ['kept', 'kept']
