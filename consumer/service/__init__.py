"""The enrichment loop and what it alone needs: validation, routing, offsets, routing state, the serve command."""
