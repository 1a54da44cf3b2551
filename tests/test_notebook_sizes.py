"""The notebooks stay small enough to read, review and serve: 200 KB a notebook, 3,530 KB for the notebooks in all, one JPEG per picture."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'nbs').glob('*.ipynb')) + sorted((ROOT / 'app').glob('*.ipynb'))
NB_LIMIT, TOTAL_LIMIT = 200 * 1024, 3530 * 1024   # 3.45 MB for 55 notebooks (3.43 MB used with 0.31.0's course, whose finer grain makes its pictures' JPEGs about 28 % larger; 3.38 MB used with 0.30.0's chapter-22 section on the subpixel shape; 3.365 MB with 0.29.0's low_pass and its chapter-27 section and the chapter-24 section on a sub-pixel last stage; 3.36 MB before them, 3.35 MB before 0.28.0's chapter-24 section on grain, 3.34 MB before 0.27.0's chapter-27 section on the draw, 3.31 MB before 0.25.0's check and its chapter-27 section, 3.25 MB before 0.15.0's video prose and tests, 3 MB for 45, 2.5 MB for 24), most far under 200 KB


def test_each_notebook_under_200_kb():
    over = {p.name: p.stat().st_size // 1024 for p in NOTEBOOKS if p.stat().st_size > NB_LIMIT}
    assert not over, f'notebooks over 200 KB (run python tools/shrink_outputs.py): {over}'


def test_nbs_under_the_total_limit():
    total = sum(p.stat().st_size for p in (ROOT / 'nbs').glob('*.ipynb'))
    assert 0 < total <= TOTAL_LIMIT, f'nbs/ holds {total // 1024} KB of notebooks, over {TOTAL_LIMIT // 1024} KB (run python tools/shrink_outputs.py)'


def test_pictures_are_jpeg_once():
    "No PNG outputs (JPEG figures everywhere), so no picture is stored twice."
    png = [(p.name, i) for p in NOTEBOOKS for i, c in enumerate(json.loads(p.read_text())['cells'])
           for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]
    assert not png, f'PNG outputs (run python tools/shrink_outputs.py): {png}'
