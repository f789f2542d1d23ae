from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from markdownx.forms import ImageForm

from .images import DownloadError, sniff_image_type


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


class EditorImageForm(ImageForm):
    """The Markdown editor's image upload, held to what the bytes are.

    markdownx trusts the browser: it stores a file under the extension of the name sent and
    checks only the declared type, so ``page.html`` declared as image/gif would be served from
    our own origin as a web page (a stored XSS, and scripts the policy's 'self' allows). Here
    the bytes must be a JPEG, PNG, GIF or WebP image, and the file is named and processed as that.
    """

    def clean(self):
        upload = super().clean()
        head = upload.read(16)
        upload.seek(0)
        try:
            content_type, extension = sniff_image_type(head)
        except DownloadError:
            raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image.")) from None
        upload.content_type, upload.name = content_type, f"image.{extension}"
        return upload
