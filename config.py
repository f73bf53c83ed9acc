"""Settings in one place. Environment variables override the defaults.

DATABASE_URL  SQLAlchemy URL (default: SQLite under instance/)
REDIS_URL     Redis for RQ (default: run.py starts an embedded Redis)
SECRET_KEY    session and JWT signing key (default: generated once under instance/)
"""

from __future__ import annotations

import os
import secrets

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.environ.get("INSTANCE_DIR") or os.path.join(BASE_DIR, "instance")
os.makedirs(INSTANCE_DIR, exist_ok=True)


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(INSTANCE_DIR, "tickets.db")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = os.path.join(INSTANCE_DIR, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
REDIS_URL = os.environ.get("REDIS_URL")
RQ_QUEUES = ["default"]
# Seconds between two sweeps of the time-based automations (自动化).
AUTOMATION_INTERVAL_SECONDS = int(os.environ.get("AUTOMATION_INTERVAL_SECONDS", "300"))
# Outgoing mail for notifications (MAIL_SECURITY: none | starttls | ssl).
MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
MAIL_FROM = os.environ.get("MAIL_FROM", "工单系统 <noreply@localhost>")
MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "none")
# Outbound HTTP (robots, webhooks) never reaches internal addresses except in these networks
# (CIDRs; comma-separated in the environment), e.g. "127.0.0.0/8" for a loopback test robot.
OUTBOUND_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("OUTBOUND_ALLOWED_NETWORKS", "").split(",") if n.strip()
]
# Per-robot send limits (messages, seconds), counted in Redis across all workers.
ROBOT_RATE_LIMITS = {"wecom": (20, 60), "dingtalk": (20, 60), "feishu": (5, 1)}
# Seconds a robot rests after the platform throttles it without a Retry-After header
# (DingTalk blocks a robot for 10 minutes after it exceeds 20 messages a minute).
ROBOT_THROTTLE_PAUSE = {"wecom": 60, "dingtalk": 600, "feishu": 10, "webhook": 30}

# --- Flask-AppBuilder -------------------------------------------------------------
APP_NAME = "呼叫中心工单系统"
APP_THEME = ""
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
# The schema comes from migrations (flask db upgrade) and permissions from `flask init`,
# never as a side effect of building the app.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_ADD_SECURITY_API = False
FAB_INDEX_VIEW = "app.index.HomeView"
FAB_SECURITY_MANAGER_CLASS = "app.security.AppSecurityManager"
FAB_BASE_TEMPLATE = "base.html"

ADDON_MANAGERS = [
    "plugins.tickets.manager.TicketsManager",
    "plugins.automation.manager.AutomationManager",
    "plugins.quality.manager.QualityManager",
    "plugins.reports.manager.ReportsManager",
]

# --- Roles: anchored patterns over (view, permission); checked from config only -------
_SELF_SERVICE = [
    ["UserDBModelView$", "can_userinfo$"],
    ["ResetMyPasswordView$", "can_this_form_(get|post)$"],
    ["UserInfoEditView$", "can_this_form_(get|post)$"],
    ["UserDBModelView$", "resetmypassword$|userinfoedit$"],
    ["(Tickets|Ticket Query|Customers|Comments|Service Desk|New Ticket|My Work)$", "menu_access$"],
    ["Queue (Mine|Overdue)$", "menu_access$"],
    ["(SwaggerView|OpenApi|MenuApi)$", "can_(get|show)$"],
]
_READ = "can_read$"
_RW = "can_(read|write)$"
_DESK_READ = [[r"(Category|Department|TicketEvent|FieldDefinition)$", _READ]]

_QUEUE = "menu_access$"
# 预设回复: everyone who writes tickets keeps their own replies (the service decides which
# ones a user manages); read-only roles may read and preview them.
_REPLIES_RW = [[r"CannedReply$", "can_(read|write|delete)$"], [r"Canned Replies$", _QUEUE]]
_REPLIES_READ = [[r"CannedReply$", _READ], [r"Canned Replies$", _QUEUE]]
FAB_ROLES = {
    "Agent": _SELF_SERVICE
    + _DESK_READ
    + [[r"(Ticket|Customer|Comment|Attachment)$", _RW], [r"Queue Created$", _QUEUE]],
    "Dispatcher": _SELF_SERVICE
    + _DESK_READ
    + [[r"(Ticket|Customer|Comment|Attachment)$", _RW], [r"Queue (Dispatch|Created)$", _QUEUE]],
    "Handler": _SELF_SERVICE
    + _DESK_READ
    + [[r"(Ticket|Comment|Attachment)$", _RW], [r"Customer$", _READ], [r"Queue Accept$", _QUEUE]],
    "Supervisor": _SELF_SERVICE
    + _DESK_READ
    + [[r"(Ticket|Comment|Attachment)$", _RW], [r"Customer$", _READ], [r"Queue Accept$", _QUEUE]],
    "Follow-up": _SELF_SERVICE
    + _DESK_READ
    + [
        [r"(Ticket|Comment)$", _RW],
        [r"(Customer|Attachment)$", _READ],
        [r"Queue (Followup|Callbacks)$", _QUEUE],
    ],
    "QA": _SELF_SERVICE + _DESK_READ + [[r"(Ticket|Customer|Comment|Attachment)$", _READ]],
    "Manager": _SELF_SERVICE + _DESK_READ + [[r"(Ticket|Customer|Comment|Attachment)$", _READ]],
}
for _role in ("Agent", "Dispatcher", "Handler", "Supervisor", "Follow-up"):
    FAB_ROLES[_role] = FAB_ROLES[_role] + _REPLIES_RW
for _role in ("QA", "Manager"):
    FAB_ROLES[_role] = FAB_ROLES[_role] + _REPLIES_READ
# 工单视图: every desk role opens the views offered to it and keeps personal ones; the
# service decides who shares with a department (its supervisors) or with all (admins).
_SAVED_VIEWS = [
    [r"SavedView$", "can_(read|write|delete)$"],
    [r"(Ticket Views|Saved Views|Manage Saved Views)$", _QUEUE],
]
for _role in FAB_ROLES:
    FAB_ROLES[_role] = FAB_ROLES[_role] + _SAVED_VIEWS
# 我的通知: everyone reads and marks their own notifications (the bell).
for _role in FAB_ROLES:
    FAB_ROLES[_role] = FAB_ROLES[_role] + [[r"Notifications$", "can_read$|menu_access$"]]
# 质检: QA reviews tickets; everyone reviewed sees their results and may appeal once;
# supervisors decide their departments' appeals; figures for managers, QA and supervisors
# (plugins/quality/services/access.py scopes what each sees).
_QA_REVIEWED = [[r"QaReview$", "can_(read|appeal)$"], [r"(Quality|My QA Results)$", _QUEUE]]
for _role in ("Agent", "Dispatcher", "Handler", "Follow-up"):
    FAB_ROLES[_role] = FAB_ROLES[_role] + _QA_REVIEWED
FAB_ROLES["Supervisor"] = FAB_ROLES["Supervisor"] + [
    [r"QaReview$", "can_(read|appeal|decide)$"],
    [r"QaFigures$", _READ],
    [r"(Quality|My QA Results|QA Appeals|QA Figures)$", _QUEUE],
]
FAB_ROLES["QA"] = FAB_ROLES["QA"] + [
    [r"QaReview$", "can_(read|review)$"],
    [r"(Scorecard|QaFigures)$", _READ],
    [r"(Quality|QA Reviews|QA Figures|Scorecards)$", _QUEUE],
]
FAB_ROLES["Manager"] = FAB_ROLES["Manager"] + [
    [r"(QaReview|QaFigures)$", _READ],
    [r"(Quality|QA Figures)$", _QUEUE],
]
# 统计报表: managers see every department's figures, supervisors their own (the reports scope).
_REPORTS = [[r"Report$", "can_read$"], [r"(Reports|Report [a-z_]+)$", "menu_access$"]]
for _role in ("Manager", "Supervisor"):
    FAB_ROLES[_role] = FAB_ROLES[_role] + _REPORTS

# --- Locale and time --------------------------------------------------------------
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "gb", "name": "English"},
}
BABEL_DEFAULT_LOCALE = "zh"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
DATETIME_FORMAT = "yyyy-MM-dd HH:mm:ss"

# --- Attachments --------------------------------------------------------------------
ATTACHMENT_DIR = os.path.join(INSTANCE_DIR, "attachments")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    "txt pdf png jpg jpeg gif webp doc docx xls xlsx ppt pptx csv zip rar 7z mp3 wav amr".split()
)
MAX_CONTENT_LENGTH = ATTACHMENT_MAX_BYTES + 1024 * 1024
# Flask-AppBuilder's own file fields and download routes (none of our screens use them).
UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "uploads") + os.sep
IMG_UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "uploads", "img") + os.sep

# --- Statistics (plugins/reports) ----------------------------------------------------
# Reports read daily roll-ups brought up to date at most once per REPORT_REFRESH_SECONDS
# (0 = before every report): under a busy floor a report never waits on recomputing the
# days just touched, at the price of numbers up to that many seconds behind.
REPORT_REFRESH_SECONDS = int(os.environ.get("REPORT_REFRESH_SECONDS", "60"))

# --- Exports (plugins/reports/exports) ------------------------------------------------
# Up to EXPORT_SYNC_LIMIT rows stream straight to the browser; more become an RQ job that
# writes the file under EXPORT_DIR, downloadable by its owner for EXPORT_TTL_HOURS.
EXPORT_SYNC_LIMIT = int(os.environ.get("EXPORT_SYNC_LIMIT", "5000"))
EXPORT_BATCH_SIZE = 1000
EXPORT_TTL_HOURS = 24
EXPORT_DIR = os.path.join(INSTANCE_DIR, "exports")

# --- QA sampling (plugins/quality/jobs.py) --------------------------------------------
# Every Monday 02:00 the job samples each handler's tickets resolved the week before:
# QA_SAMPLE_PER_PERSON tickets each if set, else QA_SAMPLE_PERCENT % (rounded up).
QA_SAMPLE_PERCENT = float(os.environ.get("QA_SAMPLE_PERCENT", "5"))
QA_SAMPLE_PER_PERSON = int(os.environ.get("QA_SAMPLE_PER_PERSON") or 0) or None

# Per-process caches of what every page asks (app/menu_badges.py, app/security.py): the
# menu's counts per user, and the (permission, view) pairs of a set of roles. A user's own
# change refreshes their counts at once; others' show within MENU_COUNT_CACHE_SECONDS.
# A role's permissions edited on another web worker apply there within
# PERMISSION_CACHE_SECONDS. 0 turns a cache off.
MENU_COUNT_CACHE_SECONDS = int(os.environ.get("MENU_COUNT_CACHE_SECONDS", "15"))
PERMISSION_CACHE_SECONDS = int(os.environ.get("PERMISSION_CACHE_SECONDS", "10"))
