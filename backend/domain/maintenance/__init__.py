"""Checklists: templates, monthly cleaning rounds, weekly recording checks (directive 12, 16)."""
