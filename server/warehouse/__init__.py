"""Warehouse: sites, zones, bins and virtual locations, and the stock ledger (``ledger/``)."""
