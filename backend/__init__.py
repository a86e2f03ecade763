"""Saha backend: Litestar + Strawberry GraphQL over SQLModel."""
