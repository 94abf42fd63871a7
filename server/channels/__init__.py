"""Channels outward: the platform HTTP senders that deliver the channel outbox, the worker that runs
them, each shop's API credentials, its listings (商品对应) and the stock figures it was last sent.

The adapters in ``server/orders/adapters`` stay pure (they say *what* to call); this package makes
the calls — signing them as each platform documents and reading the answer as sent, retryable or
refused for good — so nothing outside it holds a secret or opens a socket to a platform.
"""
