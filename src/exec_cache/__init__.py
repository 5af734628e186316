"""exec_cache: markdown-exec's python blocks run once, cached by content, sessions in parallel.

markdown-exec has neither a cache nor parallelism; this package plugs into its public extension
point, a pymdownx.superfences custom fence around its own `base_format`. It knows nothing of the
site that uses it.

- **Key** (keys.py): versions, the code of the block and every earlier block of its session,
  and the source of the local modules they import. **Reads** (reads.py): the watched files a
  block opened, with their content's hash; an edit to one is a miss.
- **Store** (store.py): entries in memory and, where the cache is on, one checked JSON file each.
- **Pool** (pool.py): sessions run in forked workers that imported the preload once.
- **Engine** (engine.py): one build's state and the fence formatter.

Public interface, for a site package:
- the MkDocs plugin `exec-cache` (plugin.py; its options in ExecCacheConfig) and, without
  MkDocs, the Markdown extension `exec_cache.extension`;
- `plugin.engine_plugin(config)`; its `plan_page(src, markdown) -> PagePlan` (blocks and keys of a
  page whose Markdown a site plugin rewrites), `expand(line)`, and on its `engine`:
  `output(key)`, `when_run(keys, callback)`, `call(fn, *args)`;
- `scan`: the one scanner of fences and `--8<--` includes (and `included_stats`);
  `store.write_checked/read_checked`.

Nothing is imported here: a worker imports the pool without MkDocs.
"""
