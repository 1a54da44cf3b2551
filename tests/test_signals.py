"""Signals sent for real to the installed commands, at several points of a run (issue 27): during set-up, during a step,
during a save, and at many points of a batch. Each must end with 128 + the signal's number, one line that says what
was kept, no traceback, no lost or half-written result; a batch never takes an interrupt for a pair's failure."""
import json, os, re, shutil, signal, subprocess, sys, time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAT, WAVES, BRICK = ROOT / 'images/content/chelsea.jpg', ROOT / 'images/style/waves.jpg', ROOT / 'images/style/brick.jpg'
ENV = dict(os.environ, NST_NB_BACKBONE='vgg16-hed')
LONG = ['--size', '64', '--iterations', '5000', '--optimizer', 'adam']   # a run that only a signal ends


def command(name: str) -> list[str]:
    "The installed console script `name` (beside this Python, else on the PATH)."
    here = Path(sys.executable).parent / name
    return [str(here) if here.exists() else (shutil.which(name) or name)]


def start(argv: list, cwd: Path, code: str | None = None) -> subprocess.Popen:
    "A command's process (or Python running `code`), its stderr to be read as it comes."
    cmd = [sys.executable, '-c', code] if code else argv
    return subprocess.Popen([str(a) for a in cmd], cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(proc: subprocess.Popen, ready, timeout: float = 300) -> bytes:
    "Read the process's stderr until `ready(stderr so far)` holds (or it ends); what was read."
    seen, t0 = b'', time.time()
    while not ready(seen) and time.time() - t0 < timeout and proc.poll() is None:
        seen += os.read(proc.stderr.fileno(), 4096)
    return seen


def finish(proc: subprocess.Popen, seen: bytes = b'') -> tuple[int, str]:
    "The exit status and all of stderr."
    _, err = proc.communicate(timeout=180)
    return proc.returncode, (seen + err).decode()


def steps_seen(n: int):
    "A `ready` that holds once the progress bar shows step `n` or later of 5000."
    return lambda seen: re.search(rb'\| *(\d+)/5000', seen) and int(re.findall(rb'\| *(\d+)/5000', seen)[-1]) >= n


def last_line(err: str) -> str: return err.strip().splitlines()[-1]


@pytest.mark.parametrize('sig, status, reason', [(signal.SIGTERM, 143, 'terminated (SIGTERM)'),
                                                   pytest.param(signal.SIGHUP, 129, 'hung up (SIGHUP)', marks=pytest.mark.slow)])   # Ctrl-C: 13_cli; SIGHUP the same path (08b maps its name)
def test_signal_during_a_step(tmp_path, sig, status, reason):
    proc = start(command('nst_nb') + [CAT, WAVES, '-o', 'out.png', *LONG], tmp_path)
    seen = wait_for(proc, steps_seen(3)); proc.send_signal(sig)
    code, err = finish(proc, seen)
    assert code == status and 'Traceback' not in err, err[-2000:]
    assert last_line(err).startswith(f'nst_nb: {reason} after ') and 'saved the best image so far' in last_line(err)
    side = json.loads((tmp_path / 'out.json').read_text())
    assert side['stopped'] == reason and 3 <= len(side['history']) < 5000 and (tmp_path / 'out.png').stat().st_size > 0
    assert not list(tmp_path.glob('.*.tmp'))


def test_sigterm_during_set_up(tmp_path):
    "While TensorFlow loads: nothing to keep, nothing written."
    proc = start(command('nst_nb') + [CAT, WAVES, '-o', 'out.png', *LONG], tmp_path)
    time.sleep(2.0); proc.send_signal(signal.SIGTERM)   # the commands' handlers are in place at once; TensorFlow takes seconds to load
    code, err = finish(proc)
    assert code == 143 and 'Traceback' not in err, err[-2000:]
    assert last_line(err) == 'nst_nb: terminated (SIGTERM) before a result was saved: nothing was written.'
    assert sorted(p.name for p in tmp_path.iterdir()) == []


SLOW_SAVE = """import sys, time
import nst_nb.output as out, nst_nb.images as images
def slow(path, write, _w=out.write_atomically):
    "Write as usual, then wait 3 s with the temporary file in place (before the rename): a signal lands in the save."
    return _w(path, lambda tmp: (write(tmp), time.sleep(3)))
out.write_atomically = images.write_atomically = slow
import nst_nb.result as result; result.write_atomically = slow
from nst_nb.cli import main
sys.exit(main([%r, %r, '-o', 'out.png', '--size', '64', '--iterations', '3']))
""" % (str(CAT), str(WAVES))


def test_sigterm_during_the_save(tmp_path):
    "The save in progress completes: the picture and its sidecar are whole, and the command says so."
    proc = start([], tmp_path, SLOW_SAVE)
    t0 = time.time()
    while not list(tmp_path.glob('.out.*.tmp')) and time.time() - t0 < 300 and proc.poll() is None: time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    code, err = finish(proc)
    assert code == 143 and 'Traceback' not in err, err[-2000:]
    assert last_line(err).endswith('terminated (SIGTERM) while saving: the result is complete in out.png.'), last_line(err)
    side = json.loads((tmp_path / 'out.json').read_text())
    assert side['stopped'] is None and len(side['history']) == 3   # 64 px: one scale of 3 steps
    from PIL import Image
    assert Image.open(tmp_path / 'out.png').size[1] == 64 and not list(tmp_path.glob('.*.tmp'))


BATCH = ['-s', WAVES, BRICK, '-o', 'batch', '--size', '64', '--iterations', '12', '--optimizer', 'adam']


@pytest.mark.parametrize('delay', [4.0, 6.0, pytest.param(9.0, marks=pytest.mark.slow)])   # 9.0: the second pair's start (slow: CI's time)
def test_batch_ctrl_c_anywhere(tmp_path, delay):
    "Ctrl-C at many points of a two-pair batch (set-up, a step, between pairs, the second pair's start): never a failed pair."
    proc = start(command('nst_nb_batch') + [CAT, *BATCH], tmp_path)
    time.sleep(delay); proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert 'Traceback' not in err and 'MISMATCH' not in err, err[-2000:]
    if code == 0: return                            # the batch was over before the signal came
    assert code == 130, (code, err[-2000:])
    said = ('before a result was saved', '--resume', 'while saving: every result is in')   # nothing yet; what to do; or the last save was under way
    assert any(s in last_line(err) for s in said), last_line(err)
    record = tmp_path / 'batch' / 'batch.json'
    if record.exists():
        statuses = [p['status'] for p in json.loads(record.read_text())['pairs']]
        assert 'failed' not in statuses and statuses.count('done') + statuses.count('interrupted') + statuses.count('not run') == 2, statuses
    if delay != 6.0: return                          # one of them goes on with --resume (each takes a TensorFlow start)
    proc = start(command('nst_nb_batch') + [CAT, *BATCH, '--resume', '-q'], tmp_path)
    code, err = finish(proc)
    assert code == 0, err[-2000:]
    assert [p['status'] for p in json.loads(record.read_text())['pairs']].count('failed') == 0


def test_second_ctrl_c_stops_at_once(tmp_path):
    proc = start(command('nst_nb') + [CAT, WAVES, '-o', 'out.png', *LONG], tmp_path)
    seen = wait_for(proc, steps_seen(2)); proc.send_signal(signal.SIGINT); proc.send_signal(signal.SIGINT)
    code, err = finish(proc, seen)
    assert code == 130 and 'Traceback' not in err, err[-2000:]
    assert 'stopping at once' in err or 'saved the best image so far' in last_line(err)   # the second may come after the first was honoured


def test_sigterm_while_training(tmp_path):
    "nst_nb_train: SIGTERM during a step keeps a checkpoint of the steps done, says how to go on, and --resume goes on from it."
    tiny = ['--size', '64', '--style-size', '96', '--batch', '1', '--width', '4', '--blocks', '1', '--every', '1000', '--photos', CAT]
    proc = start(command('nst_nb_train') + [WAVES, '-o', 'n.keras', '--steps', '5000', *tiny], tmp_path)
    seen = wait_for(proc, steps_seen(3)); proc.send_signal(signal.SIGTERM)
    code, err = finish(proc, seen)
    assert code == 143 and 'Traceback' not in err, err[-2000:]
    assert 'terminated (SIGTERM) at step' in last_line(err) and '--resume' in last_line(err)
    side = json.loads((tmp_path / 'n.json').read_text()); done = len(side['history'])
    assert side['stopped'] == 'terminated (SIGTERM)' and 3 <= done < 5000
    with __import__('zipfile').ZipFile(tmp_path / 'n.keras') as z: assert json.loads(z.read('nst_nb.json'))['step'] == done
    r = subprocess.run(command('nst_nb_train') + [str(WAVES), '-o', 'n.keras', '--steps', str(done + 2), *map(str, tiny), '--resume', '-q'],
                       cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(json.loads((tmp_path / 'n.json').read_text())['history']) == done + 2
    assert not list(tmp_path.glob('.*.tmp'))


def frames_seen(n: int, total: int):
    "A `ready` that holds once the progress bar shows frame `n` or later of `total`."
    pat = rb'\| *(\d+)/' + str(total).encode()
    return lambda seen: re.search(pat, seen) and int(re.findall(pat, seen)[-1]) >= n


def test_ctrl_c_while_stylising_a_clip(tmp_path):
    "nst_nb_video: Ctrl-C leaves a playable clip of the frames done, with its sound, says how to go on; --resume paints the rest."
    subprocess.run([sys.executable, '-c', 'import numpy as np; from nst_nb.images import open_image; from nst_nb.video import pan_clip, write_clip; '
                    f'write_clip(pan_clip(np.asarray(open_image("{CAT}")), 300, (96, 144), (0, 1)), "clip.mp4")'], cwd=tmp_path, check=True, timeout=120)
    argv = command('nst_nb_video') + ['clip.mp4', '--model', 'course', '--style', 'waves', '-o', 'out.mp4', '--height', '96']
    proc = start(argv, tmp_path)
    seen = wait_for(proc, frames_seen(20, 300)); proc.send_signal(signal.SIGINT)
    code, err = finish(proc, seen)
    assert code == 130 and 'Traceback' not in err, err[-2000:]
    assert 'interrupted (Ctrl-C) after' in last_line(err) and '--resume' in last_line(err)
    from nst_nb.video import clip_info
    done = clip_info(tmp_path / 'out.mp4'); side = json.loads((tmp_path / 'out.json').read_text())
    assert 20 <= done.frames < 300 and done.audio == 'aac' and side['frames'] == done.frames and side['stopped'] == 'interrupted (Ctrl-C)'
    r = subprocess.run([str(a) for a in argv] + ['--resume', '-q'], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert clip_info(tmp_path / 'out.mp4').frames == 300 and not (tmp_path / 'out.mp4.parts').exists()
    assert json.loads((tmp_path / 'out.json').read_text())['stopped'] is None


def test_ctrl_c_after_the_work_is_done(tmp_path):
    "Ctrl-C (even twice) while Python and TensorFlow shut down, after the result is saved and said, leaves exit status 0 (not a death by signal)."
    proc = start(command('nst_nb') + [CAT, WAVES, '-o', 'out.png', '--size', '64', '--iterations', '3'], tmp_path)
    seen, t0 = b'', time.time()
    while not re.search(rb'best loss .*\n', seen) and time.time() - t0 < 300 and proc.poll() is None: seen += os.read(proc.stdout.fileno(), 4096)
    assert b'wrote out.png' in seen and proc.poll() is None, seen   # its last line said: only the shutdown is left
    proc.send_signal(signal.SIGINT); time.sleep(0.05); proc.send_signal(signal.SIGINT)   # twice: a second signal would end a run at once
    code, err = finish(proc)
    assert code == 0 and 'Traceback' not in err and 'interrupted' not in err, (code, err[-2000:])
    assert (tmp_path / 'out.png').stat().st_size > 0 and json.loads((tmp_path / 'out.json').read_text())['stopped'] is None


SLOW_END = """import sys, time
import nst_nb.cli as cli
def said(*a, _r=cli._report):
    "Say where the result went, then wait 3 s: signals land after the last line, before the command returns."
    _r(*a); time.sleep(3)
cli._report = said
sys.argv = ['nst_nb', %r, %r, '-o', 'out.png', '--size', '64', '--iterations', '3']
sys.exit(cli.main())   # as the console script runs it
""" % (str(CAT), str(WAVES))


def test_signals_after_the_last_line(tmp_path):
    "Ctrl-C twice after the result was saved and said, before the command returns: exit 0, the result as it was (not 'interrupted while saving', not a stop at once)."
    proc = start([], tmp_path, SLOW_END)
    seen, t0 = b'', time.time()
    while not re.search(rb'best loss .*\n', seen) and time.time() - t0 < 300 and proc.poll() is None: seen += os.read(proc.stdout.fileno(), 4096)
    for _ in range(2): proc.send_signal(signal.SIGINT); time.sleep(0.2)
    code, err = finish(proc)
    assert code == 0 and 'interrupted' not in err and 'Traceback' not in err, (code, err[-2000:])
    assert json.loads((tmp_path / 'out.json').read_text())['stopped'] is None
