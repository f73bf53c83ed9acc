"""The export job row: one large export, its progress and its file.

Small exports stream straight to the browser and leave no row; an export above
EXPORT_SYNC_LIMIT rows becomes a row here and an RQ job that writes the file under the
instance folder, updating `done` / `total` as it goes. Only the owner may download it,
until `expires_at` (EXPORT_TTL_HOURS after it finished); then the file is deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plugins.tickets.models.base import utcnow

STATUSES = ("queued", "running", "done", "failed", "expired")


class ExportJob(Model):
    __tablename__ = "report_export_job"
    __table_args__ = (
        Index("ix_report_export_job_owner_created", "owner_id", "created_at"),
        Index("ix_report_export_job_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False
    )
    #: "tickets:list", "tickets:query", "tickets:view" or "report:<name>".
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    fmt: Mapped[str] = mapped_column(String(8), nullable=False)
    #: The screen's query args as {name: [values]}, replayed by the job.
    args: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    locale: Mapped[str] = mapped_column(String(16), nullable=False, default="zh")
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    file_name: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))
