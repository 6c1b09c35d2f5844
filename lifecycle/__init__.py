"""Major-project full-lifecycle dashboard (重大项目全生命周期看板).

The package is layered; each folder may import only the folders above it in this list
(`tests/test_layers.py` checks it):

1. `domain/`  — the vocabulary: table schemas, labels, regions and reference data,
               identifier validators, configuration, calendar arithmetic. Imports nothing else.
2. `store/`   — what is kept on disk: monthly snapshots (atomic publishing), comments,
               accounts, audit log. Imports `domain`.
3. `query/`   — DuckDB: the connection, the SQL models and queries (`query/sql/`), the
               metrics API and the flag registry. Imports `domain`, `store`.
   `ingest/`  — ledger import: reading, validation, publishing, templates. Same level as
               `query`; imports `domain`, `store`.
4. `present/` — formats (the column registry), charts and maps: frames in, figures out.
               Imports `domain` (never Streamlit).
5. `outputs/` — exports, packs, bulletins, letters, notifications. Imports the layers above.
6. `ui/`      — the only Streamlit glue. `cli/` and `demo.py` — entry points.

Definitions: docs/domain.md; structure: docs/architecture.md.
"""
__version__ = "0.1.0"
