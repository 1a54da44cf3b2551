"""Print-size pictures by tiles (issue 15): wall time and peak memory of a 3000 px-wide result, and tiled against untiled.

Each run is `nst_nb` in a fresh process, as a user would start it (network loading included); its peak memory is the
process's maximum resident set (`os.wait4`), TensorFlow and the network included. Figures:

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
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_quality import figures      # noqa: E402  (one set of quality figures)

ROOT = HERE.parent
CONTENT, STYLE = ROOT / 'images/content/coffee.jpg', ROOT / 'images/style/brush_strokes.jpg'
GALLERY = ROOT / 'images/gallery'


def measured(cmd: list[str]) -> tuple[float, int]:
    "Wall seconds and peak resident bytes of `cmd`, run to its end in a fresh process (it must succeed)."
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall, err = time.perf_counter() - t, p.stderr.read().decode(errors='replace')
    if os.waitstatus_to_exitcode(status): raise SystemExit(f'failed: {" ".join(cmd)}\n{err[-2000:]}')
    return wall, usage.ru_maxrss * 1024


def run(out: Path, name: str, size: int, *flags: str) -> dict:
    "One `nst_nb` run of the benchmark's pair: time, peak memory, and what its sidecar says."
    png = out / f'{name}.png'
    wall, peak = measured([str(Path(sys.executable).with_name('nst_nb')), str(CONTENT), str(STYLE), '-q', '--overwrite',
                           '--backbone', 'vgg16-hed', '--size', str(size), '-o', str(png), *flags])
    sc = json.loads(png.with_suffix('.json').read_text())
    return {'wall_s': round(wall, 1), 'peak_gib': round(peak / 2**30, 2), 'precision': sc['settings']['precision'],
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
    from nst_nb.features import cpu_line
    res = {'cpu': cpu_line(), 'load_before': os.getloadavg(), 'content': CONTENT.name, 'style': STYLE.name}
    print(f"CPU: {res['cpu']}\nload average before: {res['load_before']}", flush=True)
    big = res['print'] = run(out, f'print_{a.size}', a.size)
    big.update(seams(big['png'], big['tiling']))
    print(f"--size {a.size}: {json.dumps({k: v for k, v in big.items() if k != 'png'})}", flush=True)
    if not a.no_pictures: print_pictures(big)
    if not a.compare:
        res['load_after'] = os.getloadavg()
        if a.json: a.json.write_text(json.dumps(res, indent=1, default=str) + '\n')
        return
    untiled, tiled = run(out, f'whole_{a.compare}', a.compare), run(out, f'tiled_{a.compare}', a.compare, '--tile', str(a.tile))
    from PIL import Image
    for r in (untiled, tiled): r.update(figures(Image.open(r['png']).convert('RGB'), str(CONTENT), str(STYLE), 'vgg16-hed'))
    tiled.update(seams(tiled['png'], tiled['tiling']))
    res['compare'] = {'untiled': untiled, 'tiled': tiled}
    res['load_after'] = os.getloadavg()
    for k, r in res['compare'].items(): print(f"{a.compare} px {k}: {json.dumps({q: v for q, v in r.items() if q != 'png'})}")
    print(f"load average after: {res['load_after']}")
    print(f"\nSUMMARY ({res['cpu']})")
    print(f"  {a.size} px ({image_size(big['png'])}): {big['wall_s']:.0f} s, peak {big['peak_gib']:.2f} GiB "
          f"= {big['peak_gib'] * 2**30 / 1e9:.2f} GB ({'MET' if big['peak_gib'] * 2**30 < 8e9 else 'NOT MET'}: target under 8 GB), precision {big['precision']}, "
          f"tiles: {[(t['size'], t['tile']) for t in big['tiling']]}, seam ratio {big.get('seam_grid')} (random grids {big.get('seam_random_grids')})")
    for q in ('style_sw', 'colour_sw', 'ssim', 'edge'):
        print(f"  {a.compare} px {q}: untiled {untiled[q]:.3f}, tiled {tiled[q]:.3f}")
    print(f"  {a.compare} px time: untiled {untiled['wall_s']:.0f} s ({untiled['peak_gib']:.2f} GiB), tiled {tiled['wall_s']:.0f} s ({tiled['peak_gib']:.2f} GiB)")
    if not a.no_pictures: pair_picture(untiled, tiled)
    if a.json: a.json.write_text(json.dumps(res, indent=1, default=str) + '\n')


def image_size(png: str) -> str:
    "`W x H` of a picture file."
    from PIL import Image
    with Image.open(png) as im: return f'{im.width}x{im.height}'


if __name__ == '__main__':
    main()
