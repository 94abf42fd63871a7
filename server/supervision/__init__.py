"""The supervisor's exceptions queue: one list of everything on the floor that needs a person.

It owns no decisions: each item links to the endpoint that already makes it (approve a count
variance, release or discard a held op, close an op), and drops off once that is done. The one
thing with no home elsewhere — closing a work exception raised outside sync — lives here.
"""
