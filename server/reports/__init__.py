"""Manager reports (read-only views over orders, shipments, the ledger and stock levels).

One module per report section, each a few grouped SQL queries over indexed columns; ``scope``
decides which warehouses and which business day a report covers, so every report agrees on what
"today" and "my warehouse" mean.
"""
