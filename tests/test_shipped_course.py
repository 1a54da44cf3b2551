"""The shipped `course` is what its recipe (`benchmarks/train_networks.py --steady`) says: six `nst_nb_train --init`
runs from 0.13.0's lean `course`, the first giving it the `subpixel` last stage, each from the last one's file; and the
shipped file's own sidecar names the last run's settings."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'benchmarks'))
import train_networks as T   # noqa: E402  (no TensorFlow at import)


def flag(cmd: list[str], name: str) -> str | None:
    "The value after `name` in a command, or None."
    return cmd[cmd.index(name) + 1] if name in cmd else None


def test_steady_recipe_chains_six_runs():
    runs = T.steady_commands('course_0.13.0.keras')
    assert [o.name for o, _ in runs] == [f'course_steady_{n}.keras' for n in (1000, 3000, 6000, 15000, 16000, 17000)]
    assert [flag(c, '--init') for _, c in runs] == ['course_0.13.0.keras'] + [str(o) for o, _ in runs[:-1]]   # each from the last
    assert [flag(c, '--shape') for _, c in runs] == ['subpixel', None, None, None, None, None]   # only the first swaps the last stage
    assert sum(int(flag(c, '--steps')) for _, c in runs) == 17000
    assert [float(flag(c, '--lr')) for _, c in runs] == [0.002] * 4 + [0.0002] * 2
    assert [float(flag(c, '--content-weight')) for _, c in runs] == [0.1] * 5 + [0.12]   # the last run holds the photo a little more


def test_shipped_course_is_the_recipes_last_run():
    from nst_nb.train_settings import network_info
    info, (_, last) = network_info('course'), T.steady_commands('course_0.13.0.keras')[-1]
    c = info['config']
    assert (c['shape'], info['format'], info['backbone']) == ('subpixel', 2, flag(last, '--backbone'))
    assert info['step'] == c['steps']   # a finished run, not a checkpoint left by Ctrl-C
    assert (c['steps'], c['lr'], c['size'], c['style_size'], c['batch'], c['seed']) == (
        int(flag(last, '--steps')), float(flag(last, '--lr')), int(flag(last, '--size')), int(flag(last, '--style-size')),
        int(flag(last, '--batch')), int(flag(last, '--seed')))
    assert info['settings']['content_weight'] == float(flag(last, '--content-weight'))
    at = ROOT / info['init']['model']
    assert at.is_relative_to(ROOT / 'benchmarks' / 'probes') and at.exists(), f'{at}: keep the network course was trained on from in benchmarks/probes'
    start = network_info(at)   # the 16,000-step network it was trained on from, kept in git
    assert start['config']['shape'] == 'subpixel' and start['step'] == info['init']['step'] == 1000 and start['config']['lr'] == info['config']['lr']
    assert info['styles'] == start['styles'] == [p.stem for p in T.STYLES]
