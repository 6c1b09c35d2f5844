"""Entry point: `streamlit run app.py`. Registers the pages of `lifecycle.ui.PAGES`
(Chinese titles, ASCII URLs); each page calls `ui.setup()` itself."""
from pathlib import Path

import streamlit as st

from lifecycle.ui import PAGES, nav_title, replace_page_not_found

st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")

HERE = Path(__file__).resolve().parent
pages = [
    st.Page(str(HERE / f), title=nav_title(url, title), icon=icon, url_path=url, default=(i == 0))
    for i, (f, title, icon, url) in enumerate(PAGES)
    if (HERE / f).exists()
]
replace_page_not_found()  # a Chinese notice instead of Streamlit's English dialog
st.navigation(pages).run()
