"""Entry point: `streamlit run app.py`. Asks for a login first (lifecycle.ui.auth), then registers
the pages of `lifecycle.ui.PAGES` the account may open (Chinese titles, ASCII URLs); each page
calls `ui.setup()` itself, which checks the login and the page's permission again."""
from pathlib import Path

import streamlit as st

from lifecycle.domain.config import default_store
from lifecycle.store.snapshots import Store
from lifecycle.ui import pages_for
from lifecycle.ui.auth import require_login
from lifecycle.ui.page import _ensure_navigation, _is_default_store, ensure_demo

_ensure_navigation()  # a deep link as the server's first request: leave legacy multipage mode
st.set_page_config(page_title="重大项目全生命周期看板", page_icon="📊", layout="wide")

HERE = Path(__file__).resolve().parent
store = Store(default_store())
if _is_default_store():
    ensure_demo(store)
user = require_login(store)
pages = [
    st.Page(str(HERE / f), title=title, icon=icon, url_path=url, default=(i == 0))
    for i, (f, title, icon, url) in enumerate(pages_for(user))
    if (HERE / f).exists()
]
st.navigation(pages).run()
