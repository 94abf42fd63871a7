"""Reading scans: camera frames, GS1 element strings, and what a scanned code refers to.

Pure text and image handling lives here, apart from the catalog and the warehouse, because every
screen (receiving, picking, counting, packing) hands it the same raw scan. The GS1 parser
(``gs1.py``, table in ``gs1_table.py``) has a TypeScript twin in the PWA; both run the vectors in
``tests/vectors/gs1.json`` (ADR 0015).
"""
