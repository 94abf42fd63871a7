"""Picking and packing: pick tasks are ``server.tasks``; this package holds pack verification (复核)."""
