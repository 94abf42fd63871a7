"""The HTTP face of ``sync``: push, pull, poke and the supervisor's queue of ops needing a person."""
