"""Run snippet files as `python <file>` would, many in one interpreter (one torch import).

Each file gets a fresh `__main__` namespace and the random state a new interpreter
starts with (torch, Python's random, numpy), and its own stdout. Prints a JSON object
{path: stdout}. Used by tests/helpers.run_snippets_fresh; a test checks it against a
real `python <file>`.
"""
import contextlib
import io
import json
import random
import runpy
import sys

import numpy
import torch

if __name__ == "__main__":
    start = (torch.random.get_rng_state(), random.getstate(), numpy.random.get_state())
    outputs = {}
    for path in sys.argv[1:]:
        torch.random.set_rng_state(start[0])
        random.setstate(start[1])
        numpy.random.set_state(start[2])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        outputs[path] = out.getvalue()
    json.dump(outputs, sys.stdout, ensure_ascii=False)
