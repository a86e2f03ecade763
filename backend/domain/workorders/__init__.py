"""Work orders (iş emirleri): lifecycle, assignment, notes, timeline, review."""
