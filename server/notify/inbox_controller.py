"""HTTP face of the notification centre: the caller's own notifications and marking them read.

``push.subscribe`` (every role) guards it, like the rest of what concerns one's own notifications.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.notify import inbox
from server.notify.schemas import InboxOut, ReadInput, UnreadOut

Own = [requires(Permission.push_subscribe)]


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["push"]  # noqa: RUF012

    @get("/", operation_id="ListNotifications", guards=Own)
    async def list_notifications(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        after_id: Annotated[int, Parameter(ge=0)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=inbox.MAX_LIMIT)] = 50,
    ) -> InboxOut:
        """``after_id=0``: the newest, newest first. Otherwise those after ``after_id``, oldest first.
        ``unread`` counts all of the caller's unread ones."""
        return await inbox.list_inbox(db_session, current_user, after_id=after_id, limit=limit)

    @post("/read", operation_id="ReadNotifications", guards=Own, status_code=200)
    async def read(self, db_session: AsyncSession, current_user: AuthUser, data: ReadInput) -> UnreadOut:
        """Mark ``ids`` (the caller's own) or ``all`` read; answers what is still unread."""
        return UnreadOut(unread=await inbox.mark_read(db_session, current_user, data, utcnow()))
