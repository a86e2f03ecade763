"""Blobs: photos, drawn signatures and documents, addressed by SHA-256, uploaded resumably."""
