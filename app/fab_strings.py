"""Flask-AppBuilder strings that its own zh catalog lacks or gets wrong.

Flask-AppBuilder 5.3 ships a zh catalog that misses strings its screens use ("Add", "Edit",
"Show", "Delete", the group screens, some search filters, ...), and has a few entries that are
fuzzy or plainly wrong ("Starts with" rendered as 以开始). Flask-Babel loads Flask-AppBuilder's
catalog first and merges ours over it, so a translation in translations/zh wins.

`pybabel update` drops every entry that is not in our messages.pot, so the strings are listed
here, wrapped in `lazy_gettext`, for extraction to keep them in our catalog. Nothing imports
this module. tests/unit/test_translations.py checks that the list stays complete.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

#: Untranslated, fuzzy or absent in Flask-AppBuilder's zh catalog.
FAB_MISSING_STRINGS = (
    # templates/appbuilder/general/lib.html: the row buttons of every list
    lazy_gettext("Add"),
    lazy_gettext("Edit"),
    lazy_gettext("Show"),
    lazy_gettext("Delete"),
    lazy_gettext("Are you sure you want to delete this item?"),
    # baseviews.py, fields.py, validators.py
    lazy_gettext("Database Error"),
    lazy_gettext("Not a valid choice"),
    lazy_gettext(
        "Must have at least two capital letters, one special character, two digits, "
        "three lower case letters and a minimal length of 10."
    ),
    # search filters
    lazy_gettext("Contains (insensitive)"),
    lazy_gettext("Start with"),
    lazy_gettext("In"),
    lazy_gettext("Not In"),
    # security screens
    lazy_gettext("Either select a role or a group"),
    lazy_gettext("List Groups"),
    lazy_gettext("Show Group"),
    lazy_gettext("Add Group"),
    lazy_gettext("Edit Group"),
    lazy_gettext("Groups"),
    lazy_gettext(
        "The user group on the application, this will associate with a list of roles "
        "associated with the group"
    ),
    lazy_gettext("Edit User Information"),
    lazy_gettext("User information changed"),
    lazy_gettext("The user's password for authentication"),
    lazy_gettext("It's not a good policy to remove a user, just make it inactive"),
    lazy_gettext("User(s) exists in the role, cannot delete"),
    lazy_gettext("User(s) exists in the group, cannot delete"),
    # login pages
    lazy_gettext("Sign In with "),
    lazy_gettext("OpenID"),
    lazy_gettext("Enter your OpenID Username"),
)

#: Present in Flask-AppBuilder's zh catalog but wrong or awkward; ours replaces them.
FAB_IMPROVED_STRINGS = (
    lazy_gettext("Starts with"),
    lazy_gettext("Not Starts with"),
    lazy_gettext("Ends with"),
    lazy_gettext("Not Ends with"),
    lazy_gettext("Integrity error, probably unique constraint"),
    lazy_gettext("Back"),
    lazy_gettext("Detail"),
)
