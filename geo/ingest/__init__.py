"""Uploads: read any supported file, normalise, validate, report, commit (see
:mod:`geo.ingest.pipeline`). The upload page and the CLI use :func:`check` and :func:`commit`."""

from __future__ import annotations

from geo.ingest.pipeline import STAGES, CheckResult, check, commit, rollback, uploads
from geo.ingest.report import Problem

__all__ = ["STAGES", "CheckResult", "Problem", "check", "commit", "rollback", "uploads"]
