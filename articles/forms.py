from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagWidget


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files if file]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        allow_empty_file=True,
        label=_("Exported articles"),
        help_text=_("One or more Markdown files (.md, .markdown, .txt), as exported from WeChat or a web clipper."),
    )
    draft = forms.BooleanField(label=_("Keep new articles as drafts"), required=False)
    overwrite = forms.BooleanField(label=_("Take the source's body even where an editor changed it"), required=False)


class TagSuggestWidget(TagWidget):
    """Tags typed as text, comma separated, with existing tags matching the one being typed offered
    (static/desk/tag_suggest.js fills the list from the tag admin's suggestions)."""

    def __init__(self, attrs=None):
        super().__init__({"class": "vTextField", "autocomplete": "off", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {})}
        suggestions = f"{attrs.get('id') or name}-suggestions"
        attrs.update({"list": suggestions, "data-suggest-url": reverse("admin:taggit_tag_suggest")})
        return format_html('{}<datalist id="{}"></datalist>', super().render(name, value, attrs, renderer), suggestions)

    class Media:
        js = ["desk/tag_suggest.js"]


class LineFeedTextField(forms.CharField):
    """Text as written: browsers send text areas with CRLF line ends and the Markdown is kept with LF,
    and surrounding white space stays, so a text nobody touched is identical to what was imported
    (re-imports and revisions compare it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "strip": False})

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")
