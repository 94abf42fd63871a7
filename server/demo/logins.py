"""One demo login per role, so whoever tries Cangku can see every screen from every seat.

Floor roles are scoped to the Hangzhou warehouse (a second picker to Guangzhou, to show that scope
hides the other site's bins); the supervisor runs both sites; head-office roles see all warehouses.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.models import Role


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    display_name: str
    roles: tuple[str, ...]
    warehouse_codes: tuple[str, ...]
    """Empty when ``all_warehouses``."""
    all_warehouses: bool = False

    @property
    def scope_label(self) -> str:
        return "all 全部仓库" if self.all_warehouses else ", ".join(self.warehouse_codes)

    @property
    def roles_label(self) -> str:
        return " ".join(f"{role} {ROLE_NAMES_ZH[role]}" for role in self.roles)


ROLE_NAMES_ZH: dict[str, str] = {
    Role.picker: "拣货员",
    Role.receiver: "收货员",
    Role.counter: "盘点员",
    Role.packer: "打包员",
    Role.supervisor: "仓库主管",
    Role.manager: "经理",
    Role.finance: "财务",
    Role.admin: "管理员",
}

LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("picker", "拣货员 张伟", (Role.picker.value,), ("HZ01",)),
    DemoLogin("picker.gz", "拣货员 陈静（广州）", (Role.picker.value,), ("GZ01",)),
    DemoLogin("receiver", "收货员 李强", (Role.receiver.value,), ("HZ01",)),
    DemoLogin("counter", "盘点员 王芳", (Role.counter.value,), ("HZ01",)),
    DemoLogin("packer", "打包员 刘洋", (Role.packer.value,), ("HZ01",)),
    DemoLogin("supervisor", "仓库主管 赵敏", (Role.supervisor.value,), ("HZ01", "GZ01")),
    DemoLogin("manager", "运营经理 孙磊", (Role.manager.value,), (), all_warehouses=True),
    DemoLogin("finance", "财务 周婷", (Role.finance.value,), (), all_warehouses=True),
    DemoLogin("admin", "系统管理员", (Role.admin.value,), (), all_warehouses=True),
)

DEMO_LOGINS: tuple[tuple[str, str, str], ...] = tuple((d.username, d.roles_label, d.scope_label) for d in LOGINS)
"""(username, roles, scope) as the ``cangku run`` banner prints them next to the demo password."""
