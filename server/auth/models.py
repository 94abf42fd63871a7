"""Users, their warehouse scopes, registered devices, login tokens and login attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, utcnow


class Role(StrEnum):
    """Job roles from the warehouse floor to the back office; permissions derive from them."""

    picker = "picker"
    receiver = "receiver"
    counter = "counter"
    packer = "packer"
    supervisor = "supervisor"
    manager = "manager"
    finance = "finance"
    admin = "admin"


class User(IdMixin, TimestampMixin, Base):
    """A person who logs in. ``all_warehouses`` spares head-office roles a scope row per site."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    all_warehouses: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(16), default="zh-CN")
    active: Mapped[bool] = mapped_column(default=True)


class UserWarehouse(Base):
    """The warehouses a user may see and act in."""

    __tablename__ = "user_warehouses"

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True
    )


class Device(TimestampMixin, Base):
    """A phone or scanner registered to a user; revoking it (a lost phone) kills its tokens."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("users.id"), index=True)
    warehouse_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("warehouses.id"), default=None)
    name: Mapped[str] = mapped_column(String(128), default="")
    platform: Mapped[str] = mapped_column(String(256), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)


class AuthToken(IdMixin, Base):
    """A bearer token; only its SHA-256 is stored, so a database dump logs nobody in."""

    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("devices.id"), default=None, index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(IdMixin, Base):
    """Every login try, kept in the database so the rate limit holds across workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_remote_at", "remote_addr", "attempted_at"),
    )

    username: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(default=False)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
