"""HTTP face of the push rules: what each kind notifies, to whom, with which parameters (ADR-0020).

One permission, ``push.rules`` (managers and admins), guards reading and changing them: the
settings screen shows them together.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, put
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.notify import rules
from server.notify.schemas import RuleInput, RuleOut

Rules = [requires(Permission.push_rules)]
WarehouseParam = Annotated[int | None, Parameter(ge=1, description="one warehouse's settings; omit for the default")]


class PushRulesController(Controller):
    path = "/api/push/rules"
    tags = ["push"]  # noqa: RUF012

    @get("/", operation_id="ListPushRules", guards=Rules)
    async def list_rules(
        self, db_session: AsyncSession, current_user: AuthUser, warehouse_id: WarehouseParam = None
    ) -> list[RuleOut]:
        """Every rule kind with the settings in effect for the warehouse (or the default), where they
        come from, bilingual labels, and its parameters' schema and help."""
        return await rules.list_rules(db_session, current_user, warehouse_id)

    @put("/{kind:str}", operation_id="SavePushRule", guards=Rules)
    async def save_rule(self, db_session: AsyncSession, current_user: AuthUser, kind: str, data: RuleInput) -> RuleOut:
        """Change one kind for the whole installation, or (``warehouse_id``) for one warehouse. Fields
        left out keep the values in effect; ``params`` are merged, then checked (400 naming the field)."""
        return await rules.save_rule(db_session, current_user, kind, data)

    @delete("/{kind:str}", operation_id="ResetPushRule", guards=Rules, status_code=204)
    async def reset_rule(
        self, db_session: AsyncSession, current_user: AuthUser, kind: str, warehouse_id: WarehouseParam = None
    ) -> None:
        """Forget saved settings: a warehouse goes back to the default, the default to the built-in one."""
        await rules.delete_rule(db_session, current_user, kind, warehouse_id)
