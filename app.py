"""Entry point: `streamlit run app.py`. Asks for a login (lifecycle.ui.auth), then registers the
pages of `lifecycle.ui.PAGES` (Chinese titles, ASCII URLs; the pages a role may not open are
hidden from its navigation); each page calls `ui.setup()` itself, which checks again."""
from pathlib import Path

from lifecycle import ui

ui.run_app(Path(__file__).resolve().parent)
