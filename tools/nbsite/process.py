"""nbdev's processing of the notebooks, as `nbdev_docs` runs it before Quarto, into the `_proc/` cache."""
from __future__ import annotations

import copy, os, shutil, sys, warnings
from pathlib import Path

from nbdev.processors import FilterDefaults, exec_show_docs

PROC_VERSION = '2'  # bump when the processing below changes, so that the _proc/ cache is rebuilt
STAMP = '.build_docs'  # in the cache: which processing made it
ENV = dict(NST_NB_BACKBONE='vgg16-hed', TF_CPP_MIN_LOG_LEVEL='3', MPLBACKEND='Agg')  # offline, quiet, no display


class TolerantShowDocs(exec_show_docs):
    "nbdev's `exec_show_docs`, but a failing cell is a warning and keeps its saved outputs (unless `strict`)."
    strict = False

    def __call__(self, cell):
        saved = copy.deepcopy(cell.get('outputs'))
        try: super().__call__(cell)
        except Exception as e:
            if self.strict: raise
            cell.outputs = saved if saved is not None else []
            self.k.exc = None
            print(failed_cell_warning(getattr(self.nb, 'frontmatter_', {}).get('title', ''), cell, e.__cause__ or e),
                  file=sys.stderr)


class StrictShowDocs(TolerantShowDocs): strict = True
# nbdev's `skip_procs` setting names processors: both keep the name of the one they replace
TolerantShowDocs.__name__ = StrictShowDocs.__name__ = exec_show_docs.__name__


def failed_cell_warning(title: str, cell, e: BaseException) -> str:
    "The warning for cell `cell` of the notebook titled `title`, which failed with `e` when re-run for `show_doc`."
    first = (cell.source or '').strip().splitlines()[:1]
    return (f'WARNING build_docs: {title or "notebook"}: cell {cell.idx_} failed when re-run for show_doc '
            f'({type(e).__name__}: {str(e).strip()[:200]}); first line: {first}. '
            f'nbdev_docs would stop here: keep imports and other code in separate cells.')


class DocsFilter(FilterDefaults):
    "nbdev's processors, with the tolerant `exec_show_docs`."
    show_docs = TolerantShowDocs

    def base_procs(self):
        return [self.show_docs if p is exec_show_docs else p for p in super().base_procs()]


class StrictDocsFilter(DocsFilter): show_docs = StrictShowDocs


def process_one(job: tuple) -> str | None:
    "Process one notebook (`(src, dst, strict)`) in a worker, from its own folder as nbdev_test runs it; None or the error."
    src, dst, strict = job
    # nbdev warns about every cell with imports and other code; the ones that matter, those that fail, are reported
    warnings.filterwarnings('ignore', message='Found cells containing imports and other code')
    import nbdev.serve_drv
    cwd = os.getcwd()
    try:
        os.chdir(src.parent)
        nbdev.serve_drv.main((src, dst, StrictDocsFilter if strict else DocsFilter))
        return None
    except Exception as e: return f'{src.name}: {type(e).__name__}: {e}'
    finally: os.chdir(cwd)


def is_stale(src: Path, dst: Path, since: float = 0) -> bool:
    "Whether processed copy `dst` of `src` is missing or older than `src` (a copy made before `since` counts as made then)."
    return not dst.exists() or src.stat().st_mtime > max(dst.stat().st_mtime, since)


def cache_stamp(strict: bool) -> str:
    "What the cache's stamp file says about the processing that filled it."
    import nbdev
    return f'{PROC_VERSION} nbdev {nbdev.__version__}' + (' strict' if strict else '')


def fresh_cache(cache: Path, config_file: Path, force: bool, strict: bool) -> float:
    "Make `cache` ready, emptied if `force`, older than `config_file` or from other processing; return its mtime."
    stamp, want = cache / STAMP, cache_stamp(strict)
    if cache.exists() and (force or cache.stat().st_mtime < config_file.stat().st_mtime
                           or not stamp.exists() or stamp.read_text() != want):
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    if not stamp.exists(): stamp.write_text(want)
    return cache.stat().st_mtime


def process_notebooks(nbs: list, nbs_path: Path, cache: Path, config_file: Path, force=False, strict=False,
                      workers=2) -> None:
    "Run nbdev's processors on notebooks `nbs` into `cache` (those newer than their processed copy, or all if `force`)."
    from fastcore.parallel import parallel
    since = fresh_cache(cache, config_file, force, strict)
    todo = [(s, cache / s.relative_to(nbs_path), strict) for s in nbs]
    todo = [j for j in todo if is_stale(j[0], j[1], since)]
    if todo:
        print(f'processing {len(todo)} notebook(s) with nbdev: {", ".join(s.name for s, _, _ in todo)}', flush=True)
        for d in {d.parent for _, d, _ in todo}: d.mkdir(parents=True, exist_ok=True)
        for k, v in ENV.items(): os.environ.setdefault(k, v)
        # spawned workers import this module by name: IPython, which runs the cells, takes over `__main__`
        errs = parallel(process_one, todo, n_workers=min(workers, len(todo)), pause=0.01, method='spawn', progress=False)
        failed = [s for (s, _, _), e in zip(todo, errs) if e]
        for s, d, _ in todo:
            if s in failed and d.exists(): d.unlink()
        if failed: sys.exit('nbdev processing failed:\n  ' + '\n  '.join(e for e in errs if e))
    cache.touch()
