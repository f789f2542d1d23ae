"""Revisions of an article (django-simple-history keeps one per save): how an older one differs
from the article as it is, and restoring it."""

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import Article

LONG_TEXT = 120


@dataclass(frozen=True)
class FieldChange:
    label: str
    current: str
    restored: str
    # For long text, a line diff from the current text to the restored one: (kind, line) with
    # kind "removed", "added", "context" or "gap".
    lines: list[tuple[str, str]] = field(default_factory=list)


def restorable_fields() -> list[models.Field]:
    """What editors write and choose. Import facts, derived and automatic fields stay as they are."""
    return [f for f in Article._meta.concrete_fields if f.editable and not f.primary_key]


def changes(article: Article, revision) -> list[FieldChange]:
    """Field by field, what restoring ``revision`` would change in ``article``."""
    result = []
    for model_field in restorable_fields():
        now, then = getattr(article, model_field.attname), getattr(revision, model_field.attname)
        if now == then:
            continue
        current, restored = display_value(model_field, now), display_value(model_field, then)
        long = isinstance(now, str) and isinstance(then, str) and (max(len(now), len(then)) > LONG_TEXT)
        result.append(
            FieldChange(
                label=str(model_field.verbose_name),
                current=current,
                restored=restored,
                lines=_line_diff(now, then) if long else [],
            )
        )
    return result


@transaction.atomic
def restore(article: Article, revision, *, reason: str) -> Article:
    """Bring back what ``revision`` had; saving renders the body again and keeps a new revision.

    Raises ValidationError when the old values no longer fit (the slug is taken by another
    article now, the publication is gone).
    """
    for model_field in restorable_fields():
        setattr(article, model_field.attname, getattr(revision, model_field.attname))
    try:
        article.full_clean()
    except ValidationError:
        article.refresh_from_db()  # refused: the article stays as it is
        raise
    article._change_reason = reason
    article.save()
    return article


def display_value(model_field: models.Field, value) -> str:
    """A field's value as an editor reads it: labels for choices, names for related rows, local time."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and not isinstance(value, models.Model):
        value = model_field.related_model._default_manager.filter(pk=value).first() or f"#{value}"
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value))
    return str(value)


class RevisionSummary(HistoricalRecordContextHelper):
    """The history list's account of what each save changed: short values as before → after,
    long text by name only (a revision's own page shows the line diff)."""

    def context_for_delta_changes(self, delta) -> list[dict]:
        summary = []
        for change in delta.changes:
            model_field = Article._meta.get_field(change.field)
            long = any(isinstance(value, str) and len(value) > LONG_TEXT for value in (change.old, change.new))
            summary.append(
                {
                    "field": capfirst(model_field.verbose_name),
                    "old": "" if long else display_value(model_field, change.old),
                    "new": "" if long else display_value(model_field, change.new),
                    "long": long,
                }
            )
        return summary


def _line_diff(current: str, restored: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.unified_diff(current.splitlines(), restored.splitlines(), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "gap", "-": "removed", "+": "added"}.get(line[:1], "context")
        lines.append((kind, "" if kind == "gap" else line[1:]))
    return lines
