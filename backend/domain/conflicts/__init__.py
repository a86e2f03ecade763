"""Conflicts between offline edits and server changes, resolved by people (sync invariant 5)."""
