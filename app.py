"""Entry point: `streamlit run app.py`. Declares the pages (Chinese titles, ASCII URLs)."""
import streamlit as st

st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="总览", icon="📊", url_path="overview", default=True),
]

nav = st.navigation(PAGES)
nav.run()
