"""nbsite: the documentation site built offline from the notebooks, without Quarto.

1. The notebooks listed in `nbs/sidebar.yml` are processed the way `nbdev_docs` processes them before Quarto runs:
   nbdev's own processors (`nbdev.processors.FilterDefaults`: front matter from `# Title` / `> subtitle`, `show_doc`
   cells added after exported functions and executed, `#| hide` / `#| export` cells removed, ...) run on each notebook
   through `nbdev.serve_drv.main`, as `nbdev.serve.proc_nbs` drives them, into the `_proc/` cache (`process`).
2. Each processed notebook gets the Quarto cell options nbdev relies on (`#| echo: false`, `#| output: false|asis`,
   `#| include: false`, `#| code-fold`) applied, every `#|` line removed from the code shown (`cells`), and the
   pandoc-isms of its Markdown (`[a](b){attrs}`, `::: {.cls}`, `$...$`, `$$...$$`) turned into HTML (`markdown`).
3. nbconvert's `HTMLExporter` (template `lab`, no prompts, no remote scripts) renders it, and the page template
   `templates/page.html.j2` (jinja2) puts it in the site: the sidebar of `sidebar.yml` (`sidebar`), the title and
   description, links between notebooks and nbdev's symbol links (`https://<site-url>/images.html#open_image`) pointing
   at the local pages, the pictures its Markdown uses copied into the site (`links`), and LaTeX turned into MathML
   with `latex2mathml`, when installed, so formulas show without MathJax or any network (`render`, `build`).

Pages are named as nbdev names them (`00_images.ipynb` -> `images.html`, or the front matter's `output-file`), so the
symbol links nbdev writes work on this site as on the published one. A notebook listed in the sidebar but missing is
skipped with a warning. A cell that fails while nbdev re-executes it for `show_doc` is a warning (its saved outputs
are kept); with `--strict` it is an error, as in `nbdev_docs`. NST_NB_BACKBONE defaults to `vgg16-hed` (offline).
"""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / 'templates'
STATIC = PACKAGE / 'static'
