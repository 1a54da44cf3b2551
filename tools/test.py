"""Run every test of nst_nb, as CI does, with TensorFlow's native start-up log lines left out of the output.

    NST_NB_BACKBONE=vgg16-hed python tools/test.py            # everything: notebooks, docs site, pytest
    NST_NB_BACKBONE=vgg16-hed python tools/test.py --only pytest -- -x tests/test_signals.py

Three stages, each timed, stopping at the first that fails: the notebooks' tests (`nbdev_test`), the documentation
site built offline (`tools/build_docs.py`, into `_site/`, which the tests of `tests/test_docs.py` then check), and the tests in `tests/` (`pytest tests`: the docs site and the studio
in a real browser, Ray, the benchmarks, the notebooks' sizes, signals sent to the commands). Every line the stages print
is passed on, except the lines TensorFlow's C++ core prints when it starts in each process (CUDA not found, CPU
features, oneDNN), which no environment variable silences in this TensorFlow and which would otherwise be half the
output. The exit status is the first failing stage's, else 0.
"""
import argparse, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOISE = re.compile(r'^(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} [\d:.]+ +\d+ \S+\.cc:\d+\]|To enable the following '
                   r'instructions|rebuild TensorFlow with the appropriate compiler flags)')
STAGES = {'notebooks': ['nbdev_test'], 'docs': [sys.executable, 'tools/build_docs.py'], 'pytest': [sys.executable, '-m', 'pytest', '--durations=8', '-m', 'not slow', 'tests']}   # slow tests: python -m pytest -m slow tests


def run(cmd: list[str]) -> int:
    "Run `cmd` from the repository's root, passing its output through without TensorFlow's native log lines; its exit status."
    bindir = Path(sys.executable).parent   # nbdev_test beside this Python, whether or not its folder is on the PATH
    if (bindir / cmd[0]).exists(): cmd = [str(bindir / cmd[0])] + cmd[1:]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors='replace', bufsize=1)
    for line in p.stdout:
        if not NOISE.match(line): sys.stdout.write(line); sys.stdout.flush()
    return p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--only', choices=list(STAGES), nargs='+', help='run only these stages')
    ap.add_argument('extra', nargs='*', help='arguments passed on to the (only) stage, after --')
    a = ap.parse_args()
    if not os.environ.get('NST_NB_BACKBONE'): sys.exit('Set NST_NB_BACKBONE=vgg16-hed (the offline backbone): the tests never download a network.')
    times = {}
    for name in a.only or STAGES:
        print(f'== {name}: {" ".join(STAGES[name] + a.extra)}', flush=True)
        t = time.time(); code = run(STAGES[name] + a.extra); times[name] = time.time() - t
        if code: print(f'== {name} failed (exit status {code}) after {times[name]:.0f} s', flush=True); sys.exit(code)
        if name == 'docs': os.environ.setdefault('NST_NB_SITE', str(ROOT / '_site'))   # the site just built: tests/test_docs.py checks it instead of building it again
    print('== all passed: ' + ', '.join(f'{k} {v / 60:.1f} min' for k, v in times.items()) + f'; in all {sum(times.values()) / 60:.1f} min', flush=True)


if __name__ == '__main__':
    main()
