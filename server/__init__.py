"""Cangku (仓库): the server package. See ../README.md and docs/adr/ for the shape of things."""
