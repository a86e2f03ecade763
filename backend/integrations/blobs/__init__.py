"""Blob storage: where upload bytes and content-addressed blobs live, and what a file is.

- ``store.py``: the ``BlobStore`` protocol and ``LocalBlobStore`` (files under the data folder).
- ``s3.py``: ``S3BlobStore``, the same contract in a bucket several replicas share.
- ``sniff.py``: what a file really is, by its first bytes.
- ``images.py``: an image's size from its header alone, before anything decodes it.

The upload rules (create, append, complete, read, sweep) over a store and the database are an
application service: ``backend.services.uploads``.
"""
