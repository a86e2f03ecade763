"""Adapters to the world outside the database: blob storage (and later ONVIF, PDF, Web Push).

Nothing here imports GraphQL; the HTTP and GraphQL layers call into these modules.
"""
