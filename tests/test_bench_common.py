"""The benchmarks' helper module (`benchmarks/common.py`): its header, stopwatch, memory figures, measured children and
result files. Fast, and without TensorFlow: the header is built from a stand-in for nst_nb's CPU functions."""
import json, math, subprocess, sys, time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / 'benchmarks'
sys.path.insert(0, str(BENCH))
import common  # noqa: E402

INFO = {'model': 'Test CPU 9000', 'cores': 2, 'flags': {'avx2': True, 'fma': True, 'avx512f': True, 'avx512_bf16': False, 'amx_bf16': False}}
LINE = 'Test CPU 9000, 2 cores, flags: avx2 yes fma yes avx512f yes avx512_bf16 no amx_bf16 no'
MB = 2**20


@pytest.fixture
def hardware(monkeypatch):
    "This machine as a fixed stand-in, so that no TensorFlow loads."
    fake = {'info': INFO, 'line': LINE, 'precision_auto': 'float32', 'threads': {'intra_op': 0, 'inter_op': 1, 'cores': 2},
            'gpu': 'GPU: none visible to TensorFlow (CPU figures only)'}
    monkeypatch.setattr(common, 'nst_hardware', lambda: fake)


def test_import_loads_no_tensorflow():
    code = f'import sys; sys.path.insert(0, {str(BENCH)!r}); import common; print("tensorflow" in sys.modules)'
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip() == 'False'


def test_header_names_the_cpu_and_flags(hardware, capsys):
    head = common.machine('vgg16-hed')
    assert head['cpu'] == head['cpu_model'] == 'Test CPU 9000' and head['cpu_flags'] == INFO['flags'] and head['cores'] == 2
    assert head['precision'] == 'auto' and head['precision_auto'] == 'float32' and head['threads']['inter_op'] == 1
    assert len(head['load_before']) == 3 and head['python'] and head['nst_nb'] and head['ram_gib'] > 0
    common.print_header(head)
    out = capsys.readouterr().out
    assert LINE in out and 'load average before' in out and "precision 'auto' = float32" in out and 'inter-op 1' in out
    assert len(common.finish(head)['load_after']) == 3 and 'load average after' in capsys.readouterr().out


def test_header_cpu_forms(hardware, monkeypatch):
    assert common.machine(cpu_as='line')['cpu'] == LINE
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX2')
    assert common.machine(cpu_as='dict')['cpu'] == {'model': 'Test CPU 9000', 'cores': 2, 'flags': ['avx2', 'fma', 'avx512f'],
                                                    'onednn_max_isa': 'AVX2'}
    with pytest.raises(ValueError, match='cpu_as'): common.machine(cpu_as='name')


@pytest.mark.parametrize('name,key,cpu_as,extra', [('results.json', 'machine', 'model', {}), ('default.json', 'header', 'line', {'pictures': []}),
                                                   ('quality.json', 'header', 'dict', {}), ('tiles.json', None, 'line', {})])
def test_header_keeps_the_committed_keys(hardware, name, key, cpu_as, extra):
    "A new header has every header key of the committed result file, 'cpu' in the same form (the chapters read them)."
    old = json.loads((BENCH / name).read_text())
    old = old[key] if key else {'cpu': old['cpu']}   # tiles.json: the header at the top level (its loads were merged by hand)
    new = common.finish(common.machine('vgg16-hed', cpu_as=cpu_as, **extra))
    if key == 'machine': new.update(load_avg_1_5_15=new['load_before'], load_avg_at_end=new['load_after'])   # bench_speed's names
    assert set(old) <= set(new), set(old) - set(new)
    assert type(new['cpu']) is type(old['cpu']) and (cpu_as != 'dict' or set(new['cpu']) == set(old['cpu']))


def test_stopwatch_times_a_sleep():
    with common.stopwatch() as t: time.sleep(0.2)
    assert 0.19 <= t.wall_s < 0.6 and 0 <= t.cpu_s < 0.15


@pytest.mark.skipif(not Path('/proc/self/status').exists(), reason='needs /proc')
def test_peak_grows_with_an_array():
    assert common.reset_peak_rss()
    before = common.peak_mb()
    block = b'x' * (128 * MB)               # written, so resident
    assert common.peak_mb() - before >= 120 and common.proc_status_mb('VmRSS') >= 120
    del block


def test_child_measured_from_outside():
    code = 'import os, time; b = b"x" * (200 * 2**20); time.sleep(0.2); print("hi", os.environ["NST_BENCH_TEST"]); print("{\\"a\\": 1}")'
    r = common.run_measured([sys.executable, '-c', code], env={'NST_BENCH_TEST': 'seen'})
    assert r['returncode'] == 0 and 'hi seen' in r['stdout'] and common.last_json(r['stdout']) == {'a': 1}
    assert r['peak_mb'] >= 200 and r['wall_s'] >= 0.2 and r['cpu_s'] > 0


def test_child_peak_is_its_own():
    "A child's peak does not count the benchmark's own (which Linux would pass on to a child it started itself)."
    block = b'x' * (300 * MB); del block     # this process has peaked at 300 MB or more
    assert common.run_measured([sys.executable, '-c', 'pass'])['peak_mb'] < 150


def test_child_failure():
    r = common.run_measured([sys.executable, '-c', 'import sys; sys.exit("broken")'], check=False)
    assert r['returncode'] == 1 and 'broken' in r['stderr']
    with pytest.raises(SystemExit, match='broken'): common.run_measured([sys.executable, '-c', 'import sys; sys.exit("broken")'])
    assert common.run_measured(['/no/such/command'], check=False)['returncode'] != 0


def test_json_round_trip(tmp_path):
    head, figures = {'cpu': 'Test CPU 9000', 'load_before': [0.5, 0.4, 0.3]}, {'runs': [{'wall_s': 1.5, 'ratio': math.nan}], 'out': tmp_path}
    back = json.loads(common.write_json(tmp_path / 'r.json', figures, head).read_text())
    assert list(back) == ['header', 'runs', 'out'] and back['header'] == head and back['runs'][0]['wall_s'] == 1.5
    assert math.isnan(back['runs'][0]['ratio']) and back['out'] == str(tmp_path)
    flat = json.loads(common.write_json(tmp_path / 'r.json', {'runs': []}, head, key=None).read_text())
    assert flat == {**head, 'runs': []} and [p.name for p in tmp_path.iterdir()] == ['r.json']


@pytest.mark.skipif(not Path('/proc/self/status').exists(), reason='needs /proc')
def test_interrupted_child_ends(tmp_path, monkeypatch):
    "Ctrl-C while a child runs ends the child too, not only the launcher between them."
    pid_file = tmp_path / 'pid'
    def interrupt(self, *a, **k):
        while not pid_file.exists() or not pid_file.read_text(): time.sleep(0.02)
        raise KeyboardInterrupt
    monkeypatch.setattr(subprocess.Popen, 'communicate', interrupt)
    code = f'import os, time; open({str(pid_file)!r}, "w").write(str(os.getpid())); time.sleep(60)'
    with pytest.raises(KeyboardInterrupt): common.run_measured([sys.executable, '-c', code])
    pid, t0 = pid_file.read_text(), time.time()
    while running(pid) and time.time() - t0 < 5: time.sleep(0.05)
    assert not running(pid)


def running(pid: str) -> bool:
    "Is process `pid` alive (not gone, not a zombie)?"
    try: return next(l.split()[1] for l in open(f'/proc/{pid}/status') if l.startswith('State:')) not in 'ZX'
    except OSError: return False
