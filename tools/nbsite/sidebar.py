"""The sidebar of `nbs/sidebar.yml`: pages and sections, in order."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Link:
    "A page of the sidebar: the notebook's path relative to `nbs/`, and the text `sidebar.yml` gives it, if any."
    rel: str
    text: str | None = None
    is_section = False


@dataclass(frozen=True)
class Section:
    "A titled group of sidebar entries."
    title: str
    entries: list = field(default_factory=list)
    is_section = True


def sidebar_entries(items: list | None) -> list:
    "`Link`s and `Section`s for the `contents` list of a Quarto sidebar; entries not understood are skipped."
    out = []
    for it in items or []:
        if isinstance(it, str): out.append(Link(it))
        elif isinstance(it, dict) and 'section' in it: out.append(Section(str(it['section']), sidebar_entries(it.get('contents'))))
        elif isinstance(it, dict) and 'href' in it: out.append(Link(it['href'], it.get('text')))
        elif isinstance(it, dict) and 'contents' in it: out.extend(sidebar_entries(it['contents']))
        else: warnings.warn(f'sidebar.yml: entry not understood, skipped: {it!r}')
    return out


def sidebar_tree(data: dict | None) -> list:
    "The sidebar entries of a loaded `sidebar.yml` (`website.sidebar`, a mapping or a list of them)."
    sb = ((data or {}).get('website') or {}).get('sidebar') or {}
    if isinstance(sb, list): sb = sb[0] if sb else {}
    return sidebar_entries(sb.get('contents'))


def read_sidebar(path: Path) -> list:
    "The sidebar entries of the `sidebar.yml` at `path`."
    import yaml
    return sidebar_tree(yaml.safe_load(path.read_text()))


def flat_links(tree: list) -> list:
    "Every `Link` of `tree`, in sidebar order."
    return [x for n in tree for x in (flat_links(n.entries) if n.is_section else [n])]


def shown_tree(tree: list, keep: set) -> list:
    "`tree` with only the links whose `rel` is in `keep`, and without the sections left empty."
    out = []
    for n in tree:
        if not n.is_section:
            if n.rel in keep: out.append(n)
        elif (entries := shown_tree(n.entries, keep)): out.append(Section(n.title, entries))
    return out
