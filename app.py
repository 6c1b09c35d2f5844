"""Entry point: `streamlit run app.py`. Registers the pages of `lifecycle.ui.PAGES`
(Chinese titles, ASCII URLs); each page calls `ui.setup()` itself. A page that fails shows a
Chinese message with an error number; the details go to the server log only."""
from pathlib import Path

import streamlit as st

from lifecycle.ui import PAGES, guarded

st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")

HERE = Path(__file__).resolve().parent
present = [(f, title, icon, url) for f, title, icon, url in PAGES if (HERE / f).exists()]
pages = [
    # Streamlit serves the default page at "/" and ignores its url_path, so it gets a spare
    # path here and is registered once more, hidden, under its own: the deep link /overview works
    st.Page(str(HERE / f), title=title, icon=icon, url_path=f"{url}-home" if i == 0 else url, default=(i == 0))
    for i, (f, title, icon, url) in enumerate(present)
]
if present:
    f, title, icon, url = present[0]
    pages.append(st.Page(str(HERE / f), title=title, icon=icon, url_path=url, visibility="hidden"))
guarded(st.navigation(pages).run)
