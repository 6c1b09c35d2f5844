"""What leaves the dashboard as files or messages: Excel/CSV exports (`exports`), the
quarterly meeting pack and the monthly bulletin (`pack`).

May import: `lifecycle.domain`, `lifecycle.store`, `lifecycle.query`, `lifecycle.present`.
Never Streamlit.
"""
