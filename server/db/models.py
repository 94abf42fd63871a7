"""Imports every domain's models so ``Base.metadata`` is complete (Alembic and the drift test)."""

from server.auth import models as auth_models
from server.catalog import models as catalog_models
from server.channels import models as channel_models
from server.fulfilment import models as fulfilment_models
from server.fulfilment.shipping import models as shipping_models
from server.inbound import models as inbound_models
from server.notify import inbox_models as notify_inbox_models
from server.notify import models as notify_models
from server.notify import rule_models as notify_rule_models
from server.orders import models as order_models
from server.syncapi import tables as sync_tables
from server.tasks import models as task_models
from server.warehouse import count_models
from server.warehouse import models as warehouse_models
from server.warehouse.ledger import models as ledger_models

__all__ = (
    "auth_models",
    "catalog_models",
    "channel_models",
    "count_models",
    "fulfilment_models",
    "inbound_models",
    "ledger_models",
    "notify_inbox_models",
    "notify_models",
    "notify_rule_models",
    "order_models",
    "shipping_models",
    "sync_tables",
    "task_models",
    "warehouse_models",
)
