"""d2l_site: what makes the Obsidian notes of 《动手学深度学习》 pages of this site.

- plugin.py: the MkDocs plugin `d2l-site` (Obsidian syntax, notebooks, publishing);
- page_helpers.py, figures.py, explorer.py, charts.py: what the pages' hidden blocks call
  (remarks, formulas, tables; figures; the explorer; charts);
- import_note.py: `make note`, a raw note -> page, snippets, images, nav entry.

It runs python blocks through the exec-cache plugin's public interface only. Nothing is
imported here: a block that imports d2l_site.page_helpers pays for nothing else.
"""
