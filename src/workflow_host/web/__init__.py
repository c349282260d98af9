"""Blueprints: the JSON API under /api/v1 (pages arrive with the inbox)."""
