"""Streamlit glue shared by the pages: the caches (`ui.cache`) and small widgets (`ui.widgets`)."""
