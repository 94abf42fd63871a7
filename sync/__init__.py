"""The Cangku sync protocol as a library.

It never imports ``server`` (house plan): the wire types, clock and apply loop live here so a
third party can implement a client from ``SPEC.md`` alone. Filled in by the offline-sync issue.
"""
