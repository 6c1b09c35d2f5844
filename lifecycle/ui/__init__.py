"""The Streamlit glue, and the only part of the package that imports Streamlit: page setup,
the shared sidebar filters mirrored in the URL, cached calls into the metrics API, and the
widgets pages use to render tables, charts and maps (`page`).

Pages do `from lifecycle import ui` and use the names below.
May import: every other layer of `lifecycle`.
"""
from lifecycle.ui.page import (  # noqa: F401  (the facade pages use)
    PAGE_NEEDS,
    PAGES,
    TIER_CARD_CSS,
    PLOTLY_CONFIG,
    REGION_TITLES,
    Context,
    cached,
    chinese_headers,
    deck,
    deny,
    download,
    download_buttons,
    drill_list,
    filter_query,
    nav_title,
    flag_cards,
    guarded,
    md,
    notify_after_publish,
    page_href,
    memo,
    page_of,
    pages_for,
    pick_box,
    published_months_table,
    plot,
    rate_cards,
    run_app,
    setup,
    show_light_table,
    show_paged,
    show_table,
    slice_text,
    to_excel_bytes,
)
from lifecycle.ui.lookahead import project_risk, rate_explanations  # noqa: F401,E402  (issue 14)
from lifecycle.ui.page import verified_toggle  # noqa: F401,E402  (issue 19: 仅计已核实节点)
