"""`copydesk writeback`: apply each published draft to the platform it came from, review field first."""
