"""Catalog: products, SKUs, barcodes with pack quantities, kits (组合装) and lots."""
