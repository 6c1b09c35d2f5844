"""总览: the five rates with their pairs and month-on-month change (SPEC §8 view 1)."""
import streamlit as st

from lifecycle import ui

ctx = ui.setup("总览")
rates = ui.cached(ctx, "rates_with_change", ctx.month, ctx.slice, period=ctx.period)
st.subheader("五率")
ui.rate_cards(rates)
