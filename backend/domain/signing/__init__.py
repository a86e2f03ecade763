"""Signatures on documents (imza): one mechanism for every signed document in Saha.

A signature is made over a *signing message* that binds the document (kind, id, content hash),
the role, the signer, the device time and the drawn signature image. It is proven either by a
passkey assertion on the signer's own phone (WebAuthn; the server keeps public keys only) or by
the signer's PIN, sent encrypted to the server and checked against a peppered verifier (no copy
of the database and no phone can test a PIN offline). See docs/surveys.md, "Signatures".
"""
