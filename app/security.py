"""The host's security manager: Flask-AppBuilder's, without views that need the internet, and
with the role → permission lookups cached per process for a few seconds.

Flask-AppBuilder asks the database on every request: the Public role's permissions (twice,
for the `protect` decorator's "is it public?"), then "does one of the user's roles have
can_x on view y?", then the menu's "menu_access" set. With 2 web workers these were 4–6 of
the 10 statements of an API list call. Here one query loads all (permission, view) pairs of
a set of roles, kept for `PERMISSION_CACHE_SECONDS` (default 10; 0 turns it off): a change
to a role's permissions takes effect on every worker within that time. The user and their
roles are still read on every request, so a deactivated user or a role taken away is
effective at once.
"""

from __future__ import annotations

import threading
import time

from flask import current_app, g
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

Pairs = frozenset[tuple[str, str]]  # (permission name, view menu name)
_SECURITY_MODELS = (Role, PermissionView, Permission, ViewMenu)


class PermissionCache:
    """(permission, view) pairs per set of role ids, per process, with a time to live."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[frozenset[int], tuple[float, Pairs]] = {}

    def get(self, key: frozenset[int], ttl: float, load) -> Pairs:
        if ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        pairs = load()
        with self._lock:
            if len(self._entries) > 1000:  # role combinations are few; never unbounded
                self._entries.clear()
            self._entries[key] = (now + ttl, pairs)
        return pairs

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class AppSecurityManager(SecurityManager):
    # The user statistics chart loads Google Charts from the internet; the product must
    # work offline, so the view is not registered.
    userstatschartview = None

    def __init__(self, appbuilder) -> None:
        super().__init__(appbuilder)
        self.permission_cache = PermissionCache()
        cache = self.permission_cache

        @event.listens_for(Session, "before_flush")
        def _roles_changed(session, _flush_context, _instances) -> None:
            """A role or permission edited in this process is seen here at once."""
            touched = (*session.new, *session.dirty, *session.deleted)
            if any(isinstance(obj, _SECURITY_MODELS) for obj in touched):
                cache.clear()

    def _ttl(self) -> float:
        return float(current_app.config.get("PERMISSION_CACHE_SECONDS", 10))

    def _pairs_by_ids(self, role_ids: frozenset[int]) -> Pairs:
        def load() -> Pairs:
            rows = self.session.execute(
                select(Permission.name, ViewMenu.name)
                .select_from(PermissionView)
                .join(Permission, Permission.id == PermissionView.permission_id)
                .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
                .join(
                    assoc_permissionview_role,
                    assoc_permissionview_role.c.permission_view_id == PermissionView.id,
                )
                .where(assoc_permissionview_role.c.role_id.in_(role_ids))
            )
            return frozenset((perm, view) for perm, view in rows)

        return self.permission_cache.get(role_ids, self._ttl(), load)

    def _public_pairs(self) -> Pairs:
        def load() -> Pairs:
            role_id = self.session.scalar(select(Role.id).where(Role.name == self.auth_role_public))
            return frozenset() if role_id is None else self._pairs_by_ids(frozenset([role_id]))

        # Keyed apart from any real role set (role ids are positive).
        return self.permission_cache.get(frozenset([-1]), self._ttl(), load)

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Flask-AppBuilder's answer, once per request for each (permission, view): a page
        asks 30–40 times (menu, buttons, widgets)."""
        memo = g.setdefault("_has_access", {})
        # Who asks changes within a request: an API call is first checked anonymously,
        # then again once its JWT is verified.
        who = current_user.get_id() if current_user.is_authenticated else None
        key = (permission_name, view_name, who, "_jwt_extended_jwt" in g)
        if key not in memo:
            memo[key] = super().has_access(permission_name, view_name)
        return memo[key]

    def get_user_by_id(self, pk):
        """The request's user with their roles and groups (and the groups' roles) in one
        statement: every request reads them for its permission checks (was three)."""
        user_model = self.user_model
        return self.session.get(
            user_model,
            pk,
            options=[
                joinedload(user_model.roles),
                joinedload(user_model.groups).joinedload(self.group_model.roles),
            ],
        )

    def is_item_public(self, permission_name, view_name) -> bool:
        return (permission_name, view_name) in self._public_pairs()

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        return (permission_name, view_name) in self._pairs_by_ids(frozenset(role_ids))

    def find_roles_permission_view_menus(self, permission_name, role_ids):
        """Used by the menu's "menu_access" check: only `.view_menu.name` is read."""
        pairs = self._pairs_by_ids(frozenset(role_ids))
        return [_Named(view) for perm, view in pairs if perm == permission_name]


class _ViewMenuName:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Named:
    """Just enough of a PermissionView for Flask-AppBuilder's menu check (pvm.view_menu.name)."""

    __slots__ = ("view_menu",)

    def __init__(self, view: str) -> None:
        self.view_menu = _ViewMenuName(view)
