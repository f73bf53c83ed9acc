"""The list's search form, rendered once per user, locale and query string and kept like the
menu (app/user_cache.py): it renders every search column's field (category and department
choices included) on every list page, open or not. A form carrying a per-response CSP nonce
(a deployment that adds one) is never kept."""

from __future__ import annotations

from flask import request
from markupsafe import Markup

from app.user_cache import cached_for_user


def _without_nonce(html: str) -> bool:
    return 'nonce="' not in html.replace('nonce=""', "")


class CachedSearchMixin:
    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(  # type: ignore[misc]
            form=form, exclude_cols=exclude_cols, widgets=widgets
        )
        inner = widgets["search"]
        key = ("search", type(self).__name__, request.query_string)

        def render(**kwargs) -> Markup:
            return cached_for_user(key, lambda: Markup(inner(**kwargs)), _without_nonce)

        widgets["search"] = render
        return widgets
