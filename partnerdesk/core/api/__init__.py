"""Plumbing shared by every app's API router: auth, errors, pagination, idempotency, limits."""
