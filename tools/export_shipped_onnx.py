"""Write the shipped networks' ONNX files into `nst_nb/networks/onnx/`, as `--runtime auto` finds them (`onnx_at_hand`).

    python tools/export_shipped_onnx.py          # after a shipped network is trained again, or ONNX_REVISION is raised
    python tools/export_shipped_onnx.py --force  # write every file again, even those there

Each file is named by `onnx_name` (the network's name, its weights' digest and `ONNX_REVISION`), so a file left from
other weights is never used; the files no shipped network names are removed. Needs `nst_nb[onnx]`. Chapter 22's tests
check that every shipped network has its file and that ONNX Runtime paints it within a level of Keras.
"""
import argparse
from pathlib import Path
from nst_nb.network import SHIPPED_ONNX, export_onnx, load_network, onnx_name
from nst_nb.train_settings import shipped_networks


ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0]); ap.add_argument('--force', action='store_true', help='write every file again')
    a = ap.parse_args()
    if not SHIPPED_ONNX.resolve().is_relative_to(ROOT): raise SystemExit(f'nst_nb is imported from {SHIPPED_ONNX.parents[1]}, not this clone: pip install -e . first')
    SHIPPED_ONNX.mkdir(exist_ok=True)
    wanted = {}
    for name in shipped_networks():
        net, _ = load_network(name); wanted[onnx_name(net)] = name
        path = SHIPPED_ONNX / onnx_name(net)
        if a.force or not path.exists(): export_onnx(net, path); path.chmod(0o644)
        print(f'{name}: {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KB)')
    for old in SHIPPED_ONNX.glob('*.onnx'):
        if old.name not in wanted: old.unlink(); print(f'removed {old.name}: no shipped network has these weights')


if __name__ == '__main__':
    main()
