"""The serving side: the enrichment loop and the rooms it is built from (see ARCHITECTURE.md)."""
