"""A year of a merchant's business for the report benchmark (``python -m bench.reports``).

A bench fixture, not a business flow: rows are bulk-inserted straight into the tables with
``server.db.bulk.insert_rows`` (no services, no ledger calls, no sync ops), because a year through
the real pipeline would take hours. What keeps it honest is that the generator plays the flows
itself — orders routed, waved, picked, packed, shipped, returned; stock received, put away,
replenished, counted — against its own copy of the shelves, so the rows agree with each other the
way the services would leave them: stock levels are exactly the sum of the moves (the ledger
verifies), reserved units match the open orders' reservations, wave and task figures match their
lines, foreign keys and check constraints hold on SQLite and PostgreSQL.

``shape`` says how big and when, ``world`` builds warehouses, catalog, people and shops, ``orders``,
``restock``, ``waves`` and ``counts`` play the year, ``shelves`` keeps the stock, ``sink`` writes,
``generate`` runs it all and ``cache`` keeps the result between runs.
"""

from bench.reports_data.cache import Dataset, ensure_dataset
from bench.reports_data.generate import Generated, generate
from bench.reports_data.shape import END, GENERATOR_VERSION, Sizes

__all__ = ("END", "GENERATOR_VERSION", "Dataset", "Generated", "Sizes", "ensure_dataset", "generate")
