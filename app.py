"""Entry point: `streamlit run app.py`. Registers the pages of `lifecycle.ui.PAGES`
(Chinese titles, ASCII URLs); each page calls `ui.setup()` itself."""
from pathlib import Path

from lifecycle import ui

ui.run_app(Path(__file__).resolve().parent)
