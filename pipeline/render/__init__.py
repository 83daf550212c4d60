"""Render stage: the figures of a run → CSV, HTML, PDF and XLSX deliverables."""
