"""The query layer: the one DuckDB connection per store (`db`), the SQL models and queries
(`sql/`: staging views that only rename and cast, intermediate models, then one query per
file whose first comment says what one row means), and the metrics API every page, export
and the CLI use (`metrics`).

May import: `lifecycle.domain`, `lifecycle.store`.
"""
