"""d2l_site: what makes the Obsidian notes of 《动手学深度学习》 pages of this site.

- plugin.py: the MkDocs plugin `d2l-site` (Obsidian syntax, notebooks, publishing);
- page_helpers.py, figures.py, explorer.py, charts.py: what the pages' hidden blocks call
  (remarks, formulas, tables; figures; the explorer; charts);
- import_note.py (with note_plan, note_blocks, note_tests): `make note`, a raw note or a whole
  vault -> pages, snippets and their tests, images, nav entries;
- pdf.py: `make pdf`, the built site as one PDF.

It runs python blocks through the exec-cache plugin's public interface only. Nothing is
imported here: a block that imports d2l_site.page_helpers pays for nothing else.
"""
