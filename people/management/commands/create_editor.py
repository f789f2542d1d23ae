"""Create an editor: a staff account in the Editors group, not a superuser.

    manage.py create_editor                          # asks for a user name and a password
    manage.py create_editor wang --email wang@example.com
    EDITOR_PASSWORD=… manage.py create_editor wang --no-input

Editors do everything the desk offers (articles, people, tags, revisions, imports) but cannot
manage users or groups; `manage.py createsuperuser` makes the administrator who can.
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = "Create a staff account in the Editors group (not a superuser)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ask nothing: the password comes from the EDITOR_PASSWORD environment variable.",
        )

    def handle(self, *args, username, email, interactive, **options):
        editors = Group.objects.filter(name=EDITORS_GROUP).first()
        if editors is None:
            raise CommandError(f"There is no {EDITORS_GROUP} group yet: run `manage.py migrate` first.")
        User = get_user_model()
        if not username:
            if not interactive:
                raise CommandError("Give the user name.")
            username = input("User name: ").strip()
        if not username:
            raise CommandError("Give the user name.")
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"{username} exists already. To make them an editor, add them to the {EDITORS_GROUP} group in admin."
            )
        user = User(username=username, email=email, is_staff=True)
        user.set_password(self._password(user, interactive))
        user.full_clean()
        user.save()
        user.groups.add(editors)
        self.stdout.write(self.style.SUCCESS(f"Editor {username} created; they log in at /admin/."))

    def _password(self, user, interactive: bool) -> str:
        if not interactive:
            password = os.environ.get("EDITOR_PASSWORD", "")
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError(f"EDITOR_PASSWORD: {' '.join(error.messages)}") from None
            return password
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
