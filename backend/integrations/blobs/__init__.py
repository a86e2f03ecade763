"""Blob storage and the rules of resumable, content-addressed uploads.

- ``store.py``: the ``BlobStore`` protocol and ``LocalBlobStore`` (files under the data folder).
- ``sniff.py``: what a file really is, by its first bytes.
- ``service.py``: the upload rules (create, append, complete, read) over a store and the database.
"""
