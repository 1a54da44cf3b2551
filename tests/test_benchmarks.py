"""The benchmark scripts keep up with the library: every name they or their helper module (`benchmarks/common.py`)
import from nst_nb exists, each answers --help and prints the shared machine header.

Most of their imports sit inside functions (so that --help and the parent process stay light, without TensorFlow), where
a renamed or moved function only shows when someone runs the benchmark; this reads them all without running one. It
checks `from nst_nb.x import name` only: not `nst_nb.x.name` after `import nst_nb.x`, nor the arguments of a call."""
import ast, importlib, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / 'benchmarks').glob('bench_*.py'))
COMMON = ROOT / 'benchmarks' / 'common.py'
CPU_FUNCTIONS = {'cpu_info', 'cpu_line', 'resolve_precision', 'fast_bfloat16'}   # imported in common.py only


def imports(path: Path, prefix: str) -> list[tuple[str, str, int]]:
    "(module, name, line) of every `from <prefix>... import name` in a script, wherever it stands."
    return [(n.module, a.name, n.lineno) for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.ImportFrom) and (n.module or '').startswith(prefix) for a in n.names]


def nst_imports(path: Path) -> list[tuple[str, str, int]]: return imports(path, 'nst_nb')


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 5 and all(nst_imports(p) for p in SCRIPTS)


@pytest.mark.parametrize('path', SCRIPTS + [COMMON], ids=lambda p: p.name)
def test_imported_names_exist(path):
    missing = [f'{path.name}:{line}: {mod}.{name}' for mod, name, line in nst_imports(path)
               if not hasattr(importlib.import_module(mod), name)]
    assert not missing, 'names the benchmark imports that nst_nb no longer has: ' + ', '.join(missing)


@pytest.mark.parametrize('path', SCRIPTS, ids=lambda p: p.name)
def test_help(path):
    r = subprocess.run([sys.executable, str(path), '--help'], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0 and 'usage:' in r.stdout, r.stderr[-2000:]


def test_cpu_functions_in_one_place():
    "nst_nb's CPU functions are imported by common.py alone (they will move module: one line to change)."
    assert {n for _, n, _ in nst_imports(COMMON)} >= {'cpu_info', 'cpu_line', 'resolve_precision'}
    strays = [f'{p.name}:{line}: {name}' for p in SCRIPTS for _, name, line in nst_imports(p) if name in CPU_FUNCTIONS]
    assert not strays, 'import these through benchmarks/common.py: ' + ', '.join(strays)


@pytest.mark.parametrize('path', SCRIPTS, ids=lambda p: p.name)
def test_shared_header(path):
    "Every benchmark builds, prints and finishes common.py's machine header."
    names = {n for _, n, _ in imports(path, 'common')}
    assert {'machine', 'print_header', 'finish'} <= names, f'{path.name} imports only {sorted(names)} from common'
