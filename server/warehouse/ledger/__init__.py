"""The stock ledger: the only writer of ``stock_moves`` and ``stock_levels``."""
