"""HTTP face of Web Push: the server's public key, the caller's subscriptions and quiet hours.

Every route is about the caller's own phones, so one permission (``push.subscribe``, every role has
it) guards them all.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post, put
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.notify import subscriptions
from server.notify.inbox_controller import NotificationController
from server.notify.models import PushPreferences
from server.notify.rules_controller import PushRulesController
from server.notify.schemas import PreferencesInput, PreferencesOut, PushKeyOut, SubscriptionInput, SubscriptionOut
from server.notify.vapid import load_or_create_key

Push = [requires(Permission.push_subscribe)]


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]  # noqa: RUF012

    @get("/key", operation_id="GetPushKey", guards=Push)
    async def key(self, session_factory: async_sessionmaker[AsyncSession]) -> PushKeyOut:
        """The ``applicationServerKey`` for ``pushManager.subscribe``. 503 ``push_key_unreadable`` if
        the stored key is damaged (it is never silently replaced)."""
        key = await load_or_create_key(session_factory)
        return PushKeyOut(application_server_key=key.application_server_key)

    @post("/subscriptions", operation_id="Subscribe", guards=Push)
    async def subscribe(
        self, db_session: AsyncSession, current_user: AuthUser, data: SubscriptionInput
    ) -> Response[SubscriptionOut]:
        """Save this browser's ``PushSubscription.toJSON()``. 201 when new, 200 when the endpoint was
        already known (its keys, user, device and warehouse are updated)."""
        row, created = await subscriptions.subscribe(db_session, current_user, data)
        return Response(subscriptions.subscription_out(row), status_code=201 if created else 200)

    @delete("/subscriptions", operation_id="Unsubscribe", guards=Push, status_code=204)
    async def unsubscribe(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        endpoint: Annotated[str, Parameter(min_length=1, max_length=1024)],
    ) -> None:
        """Forget one of the caller's subscriptions, by its endpoint (``?endpoint=``)."""
        await subscriptions.unsubscribe(db_session, current_user, endpoint)

    @get("/preferences", operation_id="GetPushPreferences", guards=Push)
    async def get_preferences(self, db_session: AsyncSession, current_user: AuthUser) -> PreferencesOut:
        return subscriptions.preferences_out(await db_session.get(PushPreferences, current_user.id), utcnow())

    @put("/preferences", operation_id="SetPushPreferences", guards=Push)
    async def set_preferences(
        self, db_session: AsyncSession, current_user: AuthUser, data: PreferencesInput
    ) -> PreferencesOut:
        """Quiet hours: non-critical notifications wait until they end, then come as one summary."""
        row = await subscriptions.save_preferences(db_session, current_user, data)
        return subscriptions.preferences_out(row, utcnow())


CONTROLLERS = [PushController, PushRulesController, NotificationController]
