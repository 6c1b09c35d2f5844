"""Presentation without Streamlit: column formats and value labels (`formats`), Plotly chart
builders (`charts`: frame in, figure out) and offline pydeck maps (`maps`).

May import: `lifecycle.domain` (and pure helpers of `lifecycle.query` such as `Slice`).
Never Streamlit.
"""
