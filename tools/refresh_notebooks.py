"""Run notebooks top to bottom with the offline backbone and save their outputs, as the committed notebooks have them.

    python tools/refresh_notebooks.py nbs/10_transfer.ipynb [more.ipynb ...]

Every cell runs (the slow ones too), TensorFlow's C++ start-up log lines are dropped from
stderr outputs, the pictures are shrunk to one JPEG each (`tools/shrink_outputs.py`), and `nbdev_clean` tidies the result. Saved outputs are always made with NST_NB_BACKBONE=vgg16-hed.
"""
import argparse, json, os, re, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shrink_outputs import shrink, fit, NB_LIMIT_KB

LOG = re.compile(r'(oneDNN|To enable the following|absl::InitializeLog|cudart_stub|cuda drivers|Unable to register|TF-TRT|'
                 r'computation placer|rebuild TensorFlow|cpu_feature_guard|cuInit|^\s*$|^I0000|^W0000|^E0000)')

def strip_logs(path: Path) -> int:
    "Drop stderr outputs that are only TensorFlow start-up noise; return how many were dropped."
    nb, n = json.loads(path.read_text()), 0
    for c in nb['cells']:
        outs = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream' and o.get('name') == 'stderr':
                lines = [l for l in ''.join(o['text']).splitlines(True) if not LOG.search(l)]
                if not lines: n += 1; continue
                o['text'] = lines
            outs.append(o)
        if 'outputs' in c: c['outputs'] = outs
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--timeout', type=int, default=3600, help='seconds per cell')
    args = ap.parse_args()
    env = dict(os.environ, NST_NB_BACKBONE='vgg16-hed')
    for nb in args.notebooks:
        t = time.time()
        p = subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--inplace',
                            f'--ExecutePreprocessor.timeout={args.timeout}', '--ExecutePreprocessor.store_widget_state=False', nb.name],
                           cwd=nb.parent, env=env, stderr=subprocess.PIPE, text=True)
        if p.returncode:   # show the failing cell's error, not nbconvert's wrapper
            sys.exit(f'{nb}: failed after {time.time() - t:.0f} s, left unchanged:\n' + '\n'.join(p.stderr.splitlines()[-25:]))
        dropped, shrunk = strip_logs(nb), shrink(nb)
        if nb.stat().st_size > NB_LIMIT_KB * 1024: fit(nb)   # still over the limit: every picture re-encoded smaller
        print(f'{nb}: ran in {time.time() - t:.0f} s, dropped {dropped} log outputs, shrank {shrunk} pictures, {nb.stat().st_size / 1e3:.0f} kB')
    clean = Path(sys.executable).parent / 'nbdev_clean'   # this Python's, whether or not its folder is on the PATH
    for nb in args.notebooks: subprocess.run([str(clean) if clean.exists() else 'nbdev_clean', '--fname', str(nb)], check=True)

if __name__ == '__main__':
    main()
