"""Monthly ledger import (台账导入, docs/domain.md §6 and §8 view 10), split by concern:

- `read`     — files (.xlsx / .csv in UTF-8 or GBK) to raw cell grids with true Excel row numbers;
- `fields`   — Chinese headers, synonyms and units to schema columns; header-row and table detection;
- `parse`    — vectorised (Polars) parsing of text cells into typed columns, with cell errors;
- `rules`    — table-level validation: keys, milestone order, identifiers, cross-table keys,
               comparison with the previous published month;
- `report`   — the issue list, its JSON/text forms and the marked-up Excel copy;
- `template` — the import template and the export of a published month in that format.

- `importer` — ties them together (validate, publish, command line).

May import: `lifecycle.domain`, `lifecycle.store`.
"""
