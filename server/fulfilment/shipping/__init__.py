"""发货 and after: shipments with waybill numbers, labels, the channel outbox, tracking and delays.

``CONTROLLERS`` (in ``controller``) holds the routes for ``server.app`` to register.
"""
