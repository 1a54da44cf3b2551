"""Notebooks rendered by nbconvert, and pages by the jinja2 template `templates/page.html.j2`."""
from __future__ import annotations

from functools import cache

from . import TEMPLATES

FOLD_TAGS = ('celltag_nstfold', 'celltag_nstfold-open')  # set by cells.shown_code for `#| code-fold`


def exporter():
    "nbconvert's HTML exporter: the `lab` template without prompts or scripts, pictures left as files."
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name='lab', template_file='nbsite.html.j2',
                        extra_template_paths=[str(TEMPLATES / 'nbconvert')], exclude_input_prompt=True,
                        exclude_output_prompt=True, embed_images=False, sanitize_html=False)


def notebook_css(soup) -> str:
    "The CSS of the `<style>` elements in the head of an nbconvert page."
    return '\n'.join(s.string or '' for s in soup.head.find_all('style'))


def fold_code(soup) -> None:
    "Wrap the code of the cells tagged for folding in `<details>` (open for `#| code-fold: show`)."
    for div in soup.select(', '.join('.' + t for t in FOLD_TAGS)):
        inp = div.select_one('.jp-Cell-inputWrapper')
        if inp is None: continue
        det = soup.new_tag('details', attrs={'class': 'code-fold'})
        if FOLD_TAGS[1] in div.get('class', []): det['open'] = ''
        summ = soup.new_tag('summary'); summ.string = 'Exported source'; det.append(summ)
        inp.wrap(det)


@cache
def page_template():
    "The site's page template (HTML-escaping what it is given, except `Markup`)."
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template('page.html.j2')


def page_html(body: str, **context) -> str:
    "A page of the site around notebook HTML `body`; `context` as `templates/page.html.j2` describes."
    from markupsafe import Markup
    return page_template().render(body=Markup(body), **context)
