"""Makes Ralph's `fs` LRS backend append statements, for the records test.

Loaded only by the `ralph` processes that tests/records.rs starts (it puts
this directory first on PYTHONPATH). Python imports `sitecustomize` at start-up
in every interpreter, including the worker that uvicorn's reloader spawns for
`ralph runserver`, so the fix reaches the process that serves requests.

Why: Ralph 5.1.0 (and its main branch as of 2026-11) stores every statement of
the fs backend in one file, `<directory>/fs_lrs.jsonl`, but writes each POST
with the data backend's default operation type, CREATE
(ralph/backends/data/fs.py: `default_operation_type = BaseOperationType.CREATE`;
ralph/backends/lrs/fs.py `FSLRSBackend.write` passes `operation_type=None`).
CREATE refuses an existing file, so only the first POST that adds statements
succeeds; every later one is answered HTTP 500 "Statements bulk indexation
failed" and the server log says "fs_lrs.jsonl already exists and overwrite is
not allowed with operation_type create or index". APPEND is what a single
statements file needs. Nothing else in Ralph is changed: validation, the
duplicate-id check, queries, authentication and the HTTP layer are Ralph's own.
"""

import importlib.abc
import importlib.machinery
import sys

_MODULE = "ralph.backends.lrs.fs"


def _fix(module):
    from ralph.backends.data.base import BaseOperationType

    # Fails loudly (AttributeError at import) if a Ralph release renames the
    # class, rather than silently testing an unfixed backend.
    module.FSLRSBackend.default_operation_type = BaseOperationType.APPEND


class _FixOnImport(importlib.abc.MetaPathFinder):
    """Applies `_fix` right after Ralph's module is executed, so importing
    this file costs nothing and Ralph's own import order is untouched."""

    def find_spec(self, name, path, target=None):
        if name != _MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _fix(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _FixOnImport())
