"""Report queries: aggregate SQL (SQLAlchemy Core), one module per family of reports."""
