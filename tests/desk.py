"""Helpers for the editors' desk tests: an editor, and admin forms posted as a browser would."""

from html.parser import HTMLParser

from django.contrib.auth.models import Group, User

PASSWORD = "a-long-test-password"


def make_editor(username: str = "editor") -> User:
    """A staff member in the Editors group (made by the migration), not a superuser."""
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


class _FormValues(HTMLParser):
    """What a browser would submit from the form with ``form_id``: inputs, selects, textareas."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._multiple = False
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._multiple, self._options = name, "multiple" in attrs, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            selected = [value for value, chosen in self._options if chosen]
            # Nothing selected: a single choice list sends its first option, a multiple one nothing.
            if not selected and not self._multiple and self._options:
                selected = [self._options[0][0]]
            self.data.setdefault(self._select, []).extend(selected)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # As in a browser, the newline right after <textarea> is not part of the value.
            self.data.setdefault(self._textarea, []).append(text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_values(html: str, form_id: str) -> dict[str, list[str] | str]:
    parser = _FormValues(form_id)
    parser.feed(html)
    return {name: values[0] if len(values) == 1 else values for name, values in parser.data.items()}


def change_form(client, article) -> dict:
    """The article's change form as it stands, ready to be changed and posted back."""
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    return form_values(response.content.decode(), "article_form")
