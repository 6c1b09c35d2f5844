"""Text from the data (project names, file names, …) inside Streamlit Markdown: every character
Markdown (CommonMark + GFM + Streamlit's own directives) gives a meaning to is backslash-escaped,
so `[x](http://…)` stays text and never becomes a link, `![](http://…)` never loads a remote
image, `:red[…]` / `:material/…:` / `$…$` never render, and `www.x.com` is not auto-linked.
Use it for every value from the data or the user that goes into st.markdown, st.header,
st.error, st.caption, a button label, … (not needed for st.dataframe, st.text or selectbox options)."""
from __future__ import annotations

import re

# ASCII punctuation that CommonMark allows to be backslash-escaped, minus nothing: escaping all
# of it is always valid and keeps the text as written
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=\"'/@%^;,?])")


def md(value) -> str:
    """`value` as Markdown text that renders literally (line breaks kept as spaces)."""
    if value is None:
        return ""
    s = str(value).replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", s)
