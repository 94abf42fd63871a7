"""The demo data set: a believable Chinese e-commerce merchant with two warehouses.

``cangku run`` calls ``load_demo_data`` on first start (no users yet) and prints ``DEMO_LOGINS``
with the demo password.
"""

from server.demo.first_start import has_any_users
from server.demo.loader import build_demo, load_demo_data
from server.demo.logins import DEMO_LOGINS, LOGINS, DemoLogin
from server.demo.summary import DemoDataRefused, DemoSummary, ProgressCallback

__all__ = (
    "DEMO_LOGINS",
    "LOGINS",
    "DemoDataRefused",
    "DemoLogin",
    "DemoSummary",
    "ProgressCallback",
    "build_demo",
    "has_any_users",
    "load_demo_data",
)
