"""Load a people registry (YAML, or CSV with name,native_name,headline,aliases columns).

    manage.py import_people samples/people.yaml
    manage.py import_people people.csv        # aliases separated by "|"

Running it again with the same file changes nothing. Mentions are re-detected in every
article afterwards, unless --no-detect.
"""

import csv
import io
from pathlib import Path

import yaml
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from people.services import import_registry


class Command(BaseCommand):
    help = "Load people and their aliases from a YAML or CSV registry."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-detect", action="store_true", help="Do not re-detect mentions afterwards.")

    def handle(self, *args, path, no_detect, verbosity, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8; save the registry as UTF-8.") from None
        entries = _read_csv(text, path) if path.suffix.lower() == ".csv" else _read_yaml(text, path)
        changes = import_registry(entries)
        self.stdout.write(
            self.style.SUCCESS(
                f"{changes.created} created, {changes.updated} updated, {changes.unchanged} unchanged, "
                f"{changes.aliases_added} aliases added"
            )
        )
        if not no_detect and (changes.created or changes.updated or changes.aliases_added):
            call_command("detect_mentions", "--all", verbosity=verbosity, stdout=self.stdout)


def _read_yaml(text: str, path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise CommandError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)}).") from None
    if not isinstance(data, list):
        raise CommandError(f"{path}: expected a list of people (`- name: …`).")
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
            raise CommandError(f"{path}: person {number} has no name.")
    return data


def _read_csv(text: str, path: Path) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text)))
    entries = []
    for number, row in enumerate(rows, start=2):
        if not (row.get("name") or "").strip():
            raise CommandError(f"{path}, line {number}: no name.")
        aliases = [alias.strip() for alias in (row.get("aliases") or "").split("|") if alias.strip()]
        entries.append({**row, "aliases": [{"text": row["name"]}, *({"text": alias} for alias in aliases)]})
    return entries
