"""Adapters to the world outside the database: blob stores, ONVIF devices, PDF documents, image
analysis, key files.

Adapters are called by the application services (``backend.services``); they never import a
service, the transport (HTTP, GraphQL), the database layer or a domain command — the import
contracts in ``pyproject.toml`` check it.
"""
