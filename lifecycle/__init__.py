"""Major-project full-lifecycle dashboard core (重大项目全生命周期看板).

Importable without Streamlit: schema, reference data, snapshot store, DuckDB queries,
metrics, demo generator and CLI. The Streamlit glue lives in `lifecycle.ui`.
"""
__version__ = "0.1.0"
