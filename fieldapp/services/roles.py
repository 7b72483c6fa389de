"""The device user's role, for the checks a device makes before a supervisor's action.

The role comes from enrollment (meta ``sync.role``, written by ``fieldapp.sync.enrollment``); a
device that was never enrolled may be given one in meta ``user.role``; otherwise the user is an
animator. The
service must refuse the same writes from other roles: a device check alone can be bypassed.
"""

from __future__ import annotations

from fieldapp.model.enums import Role
from fieldapp.store import Store

META_SYNC_ROLE = "sync.role"
META_USER_ROLE = "user.role"
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def role(store: Store) -> str:
    """The device user's role: from enrollment, else the locally configured one, else animator."""
    return store.meta(META_SYNC_ROLE) or store.meta(META_USER_ROLE) or Role.ANIMATOR


def is_supervisor(store: Store) -> bool:
    """Supervisors and admins approve and return entries and carry out erasure requests."""
    return role(store) in SUPERVISOR_ROLES
