"""The catalog's rules, one module per resource; no HTTP here (controllers convert to and from the wire).

``barcode_forms``, ``kit_graph`` and ``lot_dates`` are pure (no database) and unit-tested alone.
"""
