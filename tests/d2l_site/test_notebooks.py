"""The notebook walker accepts every fence the engine runs (exec_cache.scan): on d16244c a
```py block passed the scanner and then failed the build ("its notebook cells do not match its
blocks"), and so did an exec block indented in a list."""
from __future__ import annotations

from d2l_site.notebooks import page_to_cells
from exec_cache.scan import exec_blocks

PAGE = """\
# 页

```py exec="1" source="above" result="text" title="snippets/a.py"
--8<-- "snippets/a.py"
```

- 列表里的一步：

    ```python exec="1" source="above" title="snippets/b.py"
    --8<-- "snippets/b.py"
    ```

```python exec="1" html="1"
print("<p>图</p>")
```
"""


def test_every_block_the_engine_runs_is_a_cell_of_the_notebook():
    expand = lambda line: f"print({line.split('/')[-1][:1]!r})"  # noqa: E731 - a stand-in for pymdownx.snippets
    cells = page_to_cells(PAGE, expand, lambda m: m[0])
    shown = [c.metadata.get("snippet") for c in cells if c.cell_type == "code" or "page_output" in c.metadata]
    assert shown == [b.include for b in exec_blocks(PAGE, expand)] == ["snippets/a.py", "snippets/b.py", None]
    assert [c.source for c in cells if c.cell_type == "code"] == ["print('a')", "print('b')"]
