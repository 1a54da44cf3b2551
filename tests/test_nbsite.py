"""Unit tests of `tools/nbsite/`, the offline docs builder: its pure functions, on small made-up inputs."""
import os, sys, time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))

from nbsite import build, cells, links, markdown, process, render, sidebar  # noqa: E402
from nbsite.sidebar import Link, Section  # noqa: E402


# ---- sidebar

def test_sidebar_tree_reads_pages_sections_and_hrefs():
    data = {'website': {'sidebar': {'contents': [
        'index.ipynb',
        {'section': 'Basics', 'contents': ['00_a.ipynb', {'href': '01_b.ipynb', 'text': 'B'}]},
        {'contents': ['02_c.ipynb']}]}}}
    assert sidebar.sidebar_tree(data) == [
        Link('index.ipynb'), Section('Basics', [Link('00_a.ipynb'), Link('01_b.ipynb', 'B')]), Link('02_c.ipynb')]


def test_sidebar_tree_takes_the_first_of_a_list_and_skips_what_it_does_not_understand():
    data = {'website': {'sidebar': [{'contents': ['a.ipynb', {'text': 'no href'}]}, {'contents': ['b.ipynb']}]}}
    with pytest.warns(UserWarning, match='not understood'):
        assert sidebar.sidebar_tree(data) == [Link('a.ipynb')]
    assert sidebar.sidebar_tree({}) == sidebar.sidebar_tree(None) == []


def test_flat_links_and_shown_tree():
    tree = [Link('i'), Section('S', [Link('a'), Section('T', [Link('b')])]), Section('Empty', [Link('gone')])]
    assert [l.rel for l in sidebar.flat_links(tree)] == ['i', 'a', 'b', 'gone']
    assert sidebar.shown_tree(tree, {'i', 'b'}) == [Link('i'), Section('S', [Section('T', [Link('b')])])]


def test_read_sidebar_of_the_repository_starts_with_the_index():
    links_ = sidebar.flat_links(sidebar.read_sidebar(ROOT / 'nbs' / 'sidebar.yml'))
    assert links_[0].rel == 'index.ipynb' and len(links_) == len({l.rel for l in links_}) > 1


# ---- Markdown and math

def test_attrs_html():
    assert markdown.attrs_html('.a #x target="_blank" .b') == ' class="a b" id="x" target="_blank"'
    assert markdown.attrs_html('') == ''


def test_fix_markdown_links_with_attributes_and_fenced_divs():
    md = '[the code](../nst_nb/images.py){target="_blank"}\n\n::: {.callout-note}\nNote\n:::'
    out = markdown.fix_markdown(md, markdown.MathStore())
    assert '<a href="../nst_nb/images.py" target="_blank">the code</a>' in out
    assert '<div class="callout-note">' in out and '</div>' in out and ':::' not in out


def test_fix_markdown_math_outside_code_only():
    math = markdown.MathStore()
    md = 'Gram $G = F F^T$, `$not math$`, costs $5 and $6.\n\n$$\\sum_i x_i$$\n\n```\n$$also code$$\n```'
    out = markdown.fix_markdown(md, math)
    assert list(math.items.values()) == [('G = F F^T', False), ('\\sum_i x_i', True)]
    assert '`$not math$`' in out and '$5 and $6' in out and '$$also code$$' in out
    assert 'NSTMATH0000X' in out and 'NSTMATH0001X' in out


def test_math_restore_gives_mathml_and_leaves_unknown_placeholders():
    math = markdown.MathStore()
    frac, square = math.add(' \\frac{a}{b} ', False), math.add('x^2', True)
    page = f'<p>{frac}</p><div>{square}</div> NSTMATH0099X'
    out = math.restore(page)
    assert '<mfrac>' in out and 'display="block"' in out and 'display="inline"' in out
    assert out.endswith(' NSTMATH0099X') and 'NSTMATH0000X' not in out


def test_tex_html_escapes():
    assert markdown.tex_html('a<b') == '<code class="tex">a&lt;b</code>'


# ---- cells

def test_is_true():
    assert all(map(cells.is_true, ['true', 'True', '"yes"', 'show', '1']))
    assert not any(map(cells.is_true, ['false', 'no', '0', 'hide', '']))


def test_cell_options_reads_leading_options_and_keeps_the_code():
    c = new_code_cell('#| echo: false\n#|code-fold: show\n#| code-summary: "The source"\n\nx = 1\n#| later: kept')
    opts, code = cells.cell_options(c)
    assert opts == {'echo': 'false', 'code-fold': 'show', 'code-summary': '"The source"'}
    assert code == 'x = 1\n#| later: kept'
    assert cells.cell_options(new_code_cell('#| hide')) == ({'hide': ''}, '')
    assert cells.cell_options(new_code_cell('\ny = 2\n')) == ({}, 'y = 2')


def test_frontmatter():
    nb = new_notebook(cells=[new_markdown_cell('x'), new_raw_cell('---\ntitle: Images\noutput-file: images.html\n---')])
    assert cells.frontmatter(nb) == {'title': 'Images', 'output-file': 'images.html'}
    assert cells.frontmatter(new_notebook(cells=[new_raw_cell('---\n: : bad\n---')])) == {}
    assert cells.frontmatter(new_notebook()) == {}


def _stream(text): return new_output('stream', name='stdout', text=text)
def _md(text): return new_output('display_data', data={'text/markdown': text})


def test_shown_code_applies_include_echo_and_output():
    math = markdown.MathStore()
    assert cells.shown_code(new_code_cell('#| include: false\nx', outputs=[_stream('1')]), math) is None
    assert cells.shown_code(new_code_cell('#| echo: false\nx'), math) is None  # nothing left to show
    c = cells.shown_code(new_code_cell('#| echo: false\nx', outputs=[_stream('1')]), math)
    assert c.metadata['transient']['remove_source'] and c.source == 'x' and len(c.outputs) == 1
    c = cells.shown_code(new_code_cell('#| output: false\nx', outputs=[_stream('1')]), math)
    assert c.outputs == [] and 'transient' not in c.metadata
    c = cells.shown_code(new_code_cell('#| output: asis\nx', outputs=[_md('$a$')]), math)
    assert c.outputs[0].data['text/markdown'] == 'NSTMATH0000X'


def test_shown_code_folds_and_drops_empty_streams():
    c = cells.shown_code(new_code_cell('#| code-fold: show\ndef f(): pass', outputs=[_stream('')]), markdown.MathStore())
    assert c.metadata.tags == ['nstfold-open'] and c.metadata.nst_summary == 'Code' and c.outputs == []
    c = cells.shown_code(new_code_cell('#| code-fold: true\n#| code-summary: "Src"\nf'), markdown.MathStore())
    assert c.metadata.tags == ['nstfold'] and c.metadata.nst_summary == 'Src'
    assert 'tags' not in cells.shown_code(new_code_cell('#| code-fold: false\nf'), markdown.MathStore()).metadata


def test_shown_output_replaces_widgets():
    w = new_output('display_data', data={cells.WIDGET_MIME: {'model_id': 'x'}, 'text/plain': 'Button()'})
    assert cells.shown_output(w, markdown.MathStore()).data == {'text/markdown': cells.WIDGET_NOTE}
    w = new_output('display_data', data={cells.WIDGET_MIME: {}, 'text/plain': 'x', 'image/png': 'AAAA'})
    assert set(cells.shown_output(w, markdown.MathStore()).data) == {'text/plain', 'image/png'}


def test_shown_cell_raw_and_markdown():
    math = markdown.MathStore()
    assert cells.shown_cell(new_raw_cell('---\ntitle: T\n---'), math) is None
    assert cells.shown_cell(new_raw_cell('<b>x</b>', metadata={'format': 'text/html'}), math) is not None
    assert cells.shown_cell(new_raw_cell('\\LaTeX', metadata={'format': 'text/latex'}), math) is None
    assert cells.shown_cell(new_markdown_cell('<!-- a note -->'), math) is None
    assert cells.shown_cell(new_markdown_cell('  '), math) is None
    assert cells.shown_cell(new_markdown_cell('$x$'), math).source == 'NSTMATH0000X'


def test_prepare_drops_widget_state():
    nb = new_notebook(cells=[new_code_cell('#| include: false\nx'), new_markdown_cell('# T')], metadata={'widgets': {}})
    nb = cells.prepare(nb, markdown.MathStore())
    assert [c.cell_type for c in nb.cells] == ['markdown'] and 'widgets' not in nb.metadata


# ---- links

def test_pandoc_id_and_heading_ids():
    assert links.pandoc_id('1. Gram matrices & style!') == 'gram-matrices-style'
    assert links.pandoc_id('open_image') == 'open_image' and links.pandoc_id('42') == 'section'
    assert links.heading_ids(['Setup', 'Run', 'Setup', 'Setup']) == ['setup', 'run', 'setup-1', 'setup-2']


def test_site_path_and_up_path():
    site = 'https://u.github.io/nst_nb'
    assert links.site_path(site + '/images.html', site) == 'images.html'
    assert links.site_path(site, site) == links.site_path(site + '/', site) == 'index.html'
    assert links.site_path(site + '/sub/', site) == 'sub/index.html'
    assert links.site_path('https://u.github.io/nst_nb_other/x.html', site) is None
    assert links.site_path(site + '/x.html', '') is None
    assert links.up_path('a.html') == '' and links.up_path('a/b/c.html') == '../../'


@pytest.fixture
def repo(tmp_path):
    "A repository with two notebooks (one a page), a picture and a data file; and a `Links` for its site."
    (tmp_path / 'nbs').mkdir(); (tmp_path / 'images').mkdir()
    for f in ('nbs/00_images.ipynb', 'nbs/99_draft.ipynb', 'images/cat.png', 'nbs/table.csv'): (tmp_path / f).write_text('x')
    page = build.Page('00_images.ipynb', (tmp_path / 'nbs/00_images.ipynb').resolve(), 'images.html', 'Images', 'Images')
    lk = links.Links(tmp_path, tmp_path / '_site', 'https://u.github.io/nst_nb/', 'https://github.com/u/nst_nb', 'main',
                     {page.src: page}, {page.href: page})
    return tmp_path, lk


def test_link_href(repo):
    root, lk = repo
    nbs = root / 'nbs'
    assert lk.link_href('https://u.github.io/nst_nb/images.html#open_image', 'index.html', nbs) == 'images.html#open_image'
    assert lk.link_href('https://u.github.io/nst_nb/gone.html', 'index.html', nbs) == 'https://u.github.io/nst_nb/gone.html'
    assert lk.link_href('https://example.org/x', 'index.html', nbs) == 'https://example.org/x'
    assert lk.link_href('00_images.ipynb#top', 'sub/page.html', nbs) == '../images.html#top'
    assert lk.link_href('images.html', 'index.html', nbs) == 'images.html'
    assert lk.link_href('#here', 'index.html', nbs) == '#here' and lk.problems == []
    assert lk.link_href('99_draft.ipynb', 'index.html', nbs) == 'https://github.com/u/nst_nb/blob/main/nbs/99_draft.ipynb'
    assert lk.link_href('table.csv#L2', 'index.html', nbs) == 'nbs/table.csv#L2' and (root / '_site/nbs/table.csv').exists()
    assert lk.link_href('../images', 'index.html', nbs) == 'https://github.com/u/nst_nb/tree/main/images'
    assert lk.link_href('nothing.md', 'index.html', nbs) == 'nothing.md'
    assert [p.split(':')[0] + ': ' + p.split(': ')[1][:7] for p in lk.problems] == ['index.html: link to', 'index.html: broken ']


def test_picture_src(repo):
    root, lk = repo
    nbs = root / 'nbs'
    assert lk.picture_src('../images/cat.png', 'sub/p.html', nbs) == '../images/cat.png'
    assert (root / '_site/images/cat.png').read_text() == 'x'
    assert lk.picture_src('data:image/png;base64,AA', 'p.html', nbs) == 'data:image/png;base64,AA'
    assert lk.picture_src('https://x.org/a.png', 'p.html', nbs) == 'https://x.org/a.png'
    assert lk.picture_src('missing.png', 'p.html', nbs) == 'missing.png'
    assert len(lk.problems) == 2 and 'remote picture' in lk.problems[0] and 'missing picture' in lk.problems[1]


def test_fix_mends_links_pictures_and_headings(repo):
    root, lk = repo
    soup = BeautifulSoup('<h2>Open it<a class="anchor-link" href="#Open-it">¶</a></h2><h2>Open it</h2>'
                         '<a href="00_images.ipynb">x</a><img src="../images/cat.png">', 'html.parser')
    lk.fix(soup, root / 'nbs' / 'index.ipynb', 'index.html')
    h1, h2 = soup.find_all('h2')
    assert h1['id'] == 'open-it' and h2['id'] == 'open-it-1'
    assert h1.find('a')['href'] == '#open-it' and h1.contents[-1].name == 'a' and h1.get_text() == 'Open it¶'
    assert soup.find('a', href='images.html') and soup.find('img')['src'] == 'images/cat.png'


# ---- pages

def test_page_name_is_nbdevs():
    from nbdev.doclinks import _nbpath2html  # nbdev's own rule, private: this test notices if it changes
    for nb in [p.name for p in (ROOT / 'nbs').glob('*.ipynb')] + ['00a_x.ipynb', 'sub/03_Big_Name.ipynb', 'plain.ipynb']:
        assert build.page_name(nb) == _nbpath2html(Path(nb)).as_posix()
    assert build.page_name('00_images.ipynb') == 'images.html' and build.page_name('index.ipynb') == 'index.html'


def test_page_href_and_make_page(tmp_path):
    assert build.page_href('00_images.ipynb', {}) == 'images.html'
    assert build.page_href('00_images.ipynb', {'output-file': 'pictures.html'}) == 'pictures.html'
    assert build.page_href('sub/01_x.ipynb', {'output-file': 'y.html'}) == 'sub/y.html'
    p = build.make_page('01_x.ipynb', tmp_path / '01_x.ipynb', None, {'title': 'X', 'description': ' About x '})
    assert (p.title, p.nav, p.description, p.href) == ('X', 'X', 'About x', 'x.html')
    assert build.make_page('01_x.ipynb', tmp_path / '01_x.ipynb', 'Ex', {}).title == '01_x'


def test_neighbours():
    assert build.neighbours([1, 2, 3], 0) == (None, 2) and build.neighbours([1, 2, 3], 2) == (2, None)
    assert build.neighbours([1], 0) == (None, None)


def test_listed_notebooks(tmp_path, capsys):
    (tmp_path / 'a.ipynb').write_text('{}')
    tree = [Link('a.ipynb', 'A'), Section('S', [Link('gone.ipynb'), Link('notes.qmd')])]
    with pytest.warns(UserWarning, match='only notebooks'):
        found, missing = build.listed_notebooks(tree, tmp_path)
    assert found == [('a.ipynb', 'A', tmp_path / 'a.ipynb')] and missing == ['gone.ipynb']
    assert 'gone.ipynb' in capsys.readouterr().err


def test_empty_out_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / 'mine.txt').write_text('keep')
    with pytest.raises(SystemExit): build.empty_out(tmp_path)
    assert (tmp_path / 'mine.txt').exists()
    out = tmp_path / 'site'
    build.empty_out(out); (out / 'old.html').write_text('x')
    build.empty_out(out)
    assert sorted(p.name for p in out.iterdir()) == [build.MARKER, 'assets']


def test_site_url_prefers_nbdev_yml(tmp_path):
    cfg = {'doc_host': 'https://u.github.io', 'doc_baseurl': '/lib/'}
    assert build.site_url(cfg, tmp_path) == 'https://u.github.io/lib'
    (tmp_path / 'nbdev.yml').write_text('website:\n  site-url: "https://docs.example.org/"\n')
    assert build.site_url(cfg, tmp_path) == 'https://docs.example.org'


# ---- rendering

def _page(rel, href, title, description=''): return build.Page(rel, Path(rel), href, title, title, description)


def test_page_html_sidebar_title_and_neighbours():
    pages = {'index.ipynb': _page('index.ipynb', 'index.html', 'Home'),
             '00_a.ipynb': _page('00_a.ipynb', 'sub/a.html', 'A <b>', 'About "a"'),
             '01_b.ipynb': _page('01_b.ipynb', 'b.html', 'B')}
    nav = [Link('index.ipynb'), Section('Parts & more', [Link('00_a.ipynb'), Link('01_b.ipynb')])]
    html = render.page_html('<p id="x">body</p>', page=pages['00_a.ipynb'], prev=pages['index.ipynb'],
                            next=pages['01_b.ipynb'], nav=nav, pages=pages, up='../', site_title='lib', site_description='d')
    assert html.startswith('<!DOCTYPE html>') and '<p id="x">body</p>' in html
    assert '<title>A &lt;b&gt; – lib</title>' in html and '<h1 class="title">A &lt;b&gt;</h1>' in html
    assert '<div class="description">About &#34;a&#34;</div>' in html
    assert ('<ul class="nav"><li><a href="../index.html">Home</a></li><li class="nav-section"><span class="section-title">'
            'Parts &amp; more</span><ul><li><a href="../sub/a.html" class="active" aria-current="page">A &lt;b&gt;</a></li>'
            '<li><a href="../b.html">B</a></li></ul></li></ul>') in html
    assert '<a class="prev" rel="prev" href="../index.html">&larr; Home</a><a class="next" rel="next" href="../b.html">B &rarr;</a></nav>' in html
    home = render.page_html('', page=pages['index.ipynb'], prev=None, next=None, nav=nav, pages=pages, up='',
                            site_title='lib', site_description='d')
    assert '<title>Home</title>' in home and 'class="prev"' not in home and 'class="description"' not in home


def test_fold_code():
    soup = BeautifulSoup('<div class="jp-Cell celltag_nstfold-open"><div class="jp-Cell-inputWrapper">c</div></div>'
                         '<div class="jp-Cell celltag_nstfold"><div class="jp-Cell-inputWrapper">d</div></div>'
                         '<div class="jp-Cell"><div class="jp-Cell-inputWrapper">e</div></div>', 'html.parser')
    render.fold_code(soup)
    det = soup.find_all('details')
    assert len(det) == 2 and det[0].has_attr('open') and not det[1].has_attr('open')
    assert det[0].summary.string == 'Exported source' and det[0].find(class_='jp-Cell-inputWrapper').string == 'c'


def test_exporter_writes_no_scripts_or_prompts():
    nb = new_notebook(cells=[new_code_cell('1 + 1', execution_count=3, outputs=[
        new_output('execute_result', data={'text/plain': '2'}, execution_count=3)])])
    body, _ = render.exporter().from_notebook_node(nb)
    soup = BeautifulSoup(body, 'html.parser')
    assert not soup.find_all('script', src=True) and 'mathjax' not in body.lower() and 'require.min.js' not in body
    assert '[3]' not in soup.get_text() and soup.find('main') and render.notebook_css(soup)


# ---- nbdev processing

def test_is_stale(tmp_path):
    src, dst = tmp_path / 'a.ipynb', tmp_path / 'b.ipynb'
    src.write_text('x')
    assert process.is_stale(src, dst)
    dst.write_text('y'); t = time.time()
    os.utime(src, (t - 100, t - 100)); os.utime(dst, (t - 50, t - 50))
    assert not process.is_stale(src, dst)
    os.utime(src, (t - 10, t - 10))
    assert process.is_stale(src, dst) and not process.is_stale(src, dst, since=t)


def test_fresh_cache_empties_on_force_config_or_other_processing(tmp_path):
    cache, cfg = tmp_path / '_proc', tmp_path / 'settings.ini'
    cfg.write_text('x'); t = time.time(); os.utime(cfg, (t - 100, t - 100))
    process.fresh_cache(cache, cfg, force=False, strict=False)
    (cache / 'a.ipynb').write_text('{}')
    process.fresh_cache(cache, cfg, force=False, strict=False)
    assert (cache / 'a.ipynb').exists()
    for kw in (dict(force=False, strict=True), dict(force=True, strict=True)):
        (cache / 'a.ipynb').write_text('{}')
        process.fresh_cache(cache, cfg, **kw)
        assert not (cache / 'a.ipynb').exists() and (cache / process.STAMP).read_text().endswith('strict')
    (cache / 'a.ipynb').write_text('{}'); os.utime(cfg, (t + 100, t + 100))
    process.fresh_cache(cache, cfg, force=False, strict=True)
    assert not (cache / 'a.ipynb').exists()


def test_docs_filters_replace_exec_show_docs():
    from nbdev.processors import exec_show_docs
    tolerant, strict = process.DocsFilter().base_procs(), process.StrictDocsFilter().base_procs()
    assert exec_show_docs not in tolerant and process.TolerantShowDocs in tolerant and process.StrictShowDocs in strict
    assert len(tolerant) == len(strict) == len(process.FilterDefaults().base_procs())
    assert process.TolerantShowDocs.__name__ == process.StrictShowDocs.__name__ == 'exec_show_docs'
    assert not process.TolerantShowDocs.strict and process.StrictShowDocs.strict


def test_failed_cell_warning():
    c = new_code_cell('import os; x = 1/0\nmore'); c.idx_ = 4
    msg = process.failed_cell_warning('Images', c, ZeroDivisionError('division by zero'))
    assert msg.startswith('WARNING build_docs: Images: cell 4 failed')
    assert "(ZeroDivisionError: division by zero); first line: ['import os; x = 1/0']" in msg
    assert process.failed_cell_warning('', c, ValueError()).startswith('WARNING build_docs: notebook: cell 4')
