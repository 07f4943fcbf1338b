"""Streamlit glue: cached factories, the signed-in context and shared widgets."""
