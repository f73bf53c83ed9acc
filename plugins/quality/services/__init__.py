"""QA services: scorecards, scoring, reviews, appeals, sampling and figures.

Each takes (session, actor, …), raises DomainError subclasses, and knows no Flask views.
"""
