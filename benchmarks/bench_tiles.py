"""Print-size pictures by tiles (issue 15): wall time and peak memory of a 3000 px-wide result, and tiled against untiled.

Each run is `nst_nb` in a fresh process, as a user would start it (network loading included); its peak memory is the
process's maximum resident set (`os.wait4`, `common.run_measured`), TensorFlow and the network included. Figures:

1. `nst_nb coffee.jpg brush_strokes.jpg --size 2000` (a 600x400 photo made 3000x2000 px): wall time, peak memory,
   which scales ran in tiles (the sidecar), and the seam ratio (`nst_nb.tiles.seam_ratio`) on the last tile grid and
   on random grids: about 1 where no seam shows.
2. The same pair at `--compare` px (1024) untiled and with `--tile 512`: time, memory, seam ratio and the quality
   figures of `bench_quality.py` (a style distance the run did not optimise, colour, SSIM and edges against the
   content), and a side-by-side picture (`images/gallery/tiles_1024.jpg`) so a person can see the style is the same.

Usage: python benchmarks/bench_tiles.py [--size 2000] [--compare 1024] [--json benchmarks/tiles.json]
Run it alone on the machine: it measures time and memory.
"""
from __future__ import annotations
import argparse, json, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quality import figures      # noqa: E402  (one set of quality figures)
from common import ROOT, finish, machine, print_header, run_measured, verdict, write_json   # noqa: E402

CONTENT, STYLE = ROOT / 'images/content/coffee.jpg', ROOT / 'images/style/brush_strokes.jpg'
GALLERY = ROOT / 'images/gallery'


def run(out: Path, name: str, size: int, *flags: str) -> dict:
    "One `nst_nb` run of the benchmark's pair: time, peak memory, and what its sidecar says."
    png = out / f'{name}.png'
    p = run_measured([str(Path(sys.executable).with_name('nst_nb')), str(CONTENT), str(STYLE), '-q', '--overwrite',
                      '--backbone', 'vgg16-hed', '--size', str(size), '-o', str(png), *flags])
    sc = json.loads(png.with_suffix('.json').read_text())
    return {'wall_s': round(p['wall_s'], 1), 'peak_gib': round(p['peak_mb'] / 2**10, 2), 'precision': sc['settings']['precision'],
            'max_memory_gib': sc['settings'].get('max_memory'), 'scales': sc['timings']['scales'], 'steps': len(sc['history']),
            'tiling': sc.get('tiling', []), 'png': str(png)}


def seams(png: str, tiling: list, seed: int = 0) -> dict:
    "Seam ratios of a result: on the grid of its last tiles (unshifted) and the mean over 8 random shifts of it."
    import numpy as np
    from PIL import Image
    from nst_nb.tiles import seam_ratio
    if not tiling: return {}
    img, tile = np.asarray(Image.open(png).convert('RGB')), tiling[-1]['tile']
    rng = np.random.default_rng(seed)
    shifted = [seam_ratio(img, tile, tuple(int(o) for o in rng.integers(0, tile, 2))) for _ in range(8)]
    return {'seam_grid': round(seam_ratio(img, tile), 3), 'seam_random_grids': round(float(np.mean(shifted)), 3)}


def print_pictures(big: dict):
    "The print-size result for the gallery: shown small, and a 600 x 400 px crop of its centre at full size."
    from PIL import Image
    im = Image.open(big['png']).convert('RGB')
    im.resize((960, round(960 * im.height / im.width)), Image.Resampling.LANCZOS).save(GALLERY / 'print_2000.jpg', quality=80)
    w, h = im.size
    im.crop((w // 2 - 300, h // 2 - 200, w // 2 + 300, h // 2 + 200)).save(GALLERY / 'print_2000_crop.jpg', quality=88)


def pair_picture(untiled: dict, tiled: dict):
    "The comparison for the gallery: the whole picture beside the tiled one, labelled."
    from PIL import Image, ImageDraw
    a, b = (Image.open(r['png']).convert('RGB') for r in (untiled, tiled))
    a, b = (o.resize((600, round(600 * o.height / o.width)), Image.Resampling.LANCZOS) for o in (a, b))
    pair = Image.new('RGB', (a.width * 2 + 10, a.height + 22), 'white')
    pair.paste(a, (0, 22)); pair.paste(b, (a.width + 10, 22))
    d = ImageDraw.Draw(pair)
    d.text((4, 4), f"{untiled['scales'][-1]} px, whole (L-BFGS)", fill='black')
    d.text((a.width + 14, 4), f"{tiled['scales'][-1]} px, last scale in {tiled['tiling'][-1]['tile']} px tiles (Adam)", fill='black')
    pair.save(GALLERY / 'tiles_1024.jpg', quality=85)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--size', type=int, default=2000, help='height of the print-size run (2000: 3000x2000 px)')
    ap.add_argument('--compare', type=int, default=1024, help='height of the untiled/tiled comparison (0: skip it)')
    ap.add_argument('--tile', type=int, default=512, help='tile of the comparison run')
    ap.add_argument('--json', type=Path, default=None, help='write the figures here')
    ap.add_argument('--out', type=Path, default=None, help='folder for the results (default: a temporary one)')
    ap.add_argument('--no-pictures', action='store_true', help='do not rewrite the gallery pictures')
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix='bench_tiles_'))
    out.mkdir(parents=True, exist_ok=True)
    head = machine('vgg16-hed', cpu_as='line')      # tiles.json keeps the header at its top level, 'cpu' the CPU in one line
    print_header(head)
    res = {'content': CONTENT.name, 'style': STYLE.name}
    big = res['print'] = run(out, f'print_{a.size}', a.size)
    big.update(seams(big['png'], big['tiling']))
    print(f"--size {a.size}: {json.dumps({k: v for k, v in big.items() if k != 'png'})}", flush=True)
    if not a.no_pictures: print_pictures(big)
    if not a.compare:
        finish(head)
        if a.json: write_json(a.json, res, head, key=None)
        return
    untiled, tiled = run(out, f'whole_{a.compare}', a.compare), run(out, f'tiled_{a.compare}', a.compare, '--tile', str(a.tile))
    from PIL import Image
    for r in (untiled, tiled): r.update(figures(Image.open(r['png']).convert('RGB'), str(CONTENT), str(STYLE), 'vgg16-hed'))
    tiled.update(seams(tiled['png'], tiled['tiling']))
    res['compare'] = {'untiled': untiled, 'tiled': tiled}
    finish(head)
    for k, r in res['compare'].items(): print(f"{a.compare} px {k}: {json.dumps({q: v for q, v in r.items() if q != 'png'})}")
    print(f"\nSUMMARY ({head['cpu']})")
    print(f"  {a.size} px ({image_size(big['png'])}): {big['wall_s']:.0f} s, peak {big['peak_gib']:.2f} GiB "
          f"= {big['peak_gib'] * 2**30 / 1e9:.2f} GB ({verdict(big['peak_gib'] * 2**30 < 8e9)}: target under 8 GB), precision {big['precision']}, "
          f"tiles: {[(t['size'], t['tile']) for t in big['tiling']]}, seam ratio {big.get('seam_grid')} (random grids {big.get('seam_random_grids')})")
    for q in ('style_sw', 'colour_sw', 'ssim', 'edge'):
        print(f"  {a.compare} px {q}: untiled {untiled[q]:.3f}, tiled {tiled[q]:.3f}")
    print(f"  {a.compare} px time: untiled {untiled['wall_s']:.0f} s ({untiled['peak_gib']:.2f} GiB), tiled {tiled['wall_s']:.0f} s ({tiled['peak_gib']:.2f} GiB)")
    if not a.no_pictures: pair_picture(untiled, tiled)
    if a.json: write_json(a.json, res, head, key=None)


def image_size(png: str) -> str:
    "`W x H` of a picture file."
    from PIL import Image
    with Image.open(png) as im: return f'{im.width}x{im.height}'


if __name__ == '__main__':
    main()
