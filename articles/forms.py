from django import forms
from django.utils.translation import gettext_lazy as _


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
