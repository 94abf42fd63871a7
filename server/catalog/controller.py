"""HTTP routes of this domain (being built)."""

CONTROLLERS: list[type] = []
