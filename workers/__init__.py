"""Celery apps for the garden and seed roles, task adapters and the beat schedule."""
