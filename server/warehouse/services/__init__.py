"""The warehouse domain's rules outside the ledger: sites, zones, bins, and the stock reads/API glue.

One module per resource; none of them writes ``stock_moves`` or ``stock_levels`` (that is the
ledger's job), they only read them or call the ledger's functions.
"""
