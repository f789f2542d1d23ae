"""Images editors upload into the Markdown editor (markdownx's upload endpoint).

Only raster images, judged by their bytes and by decoding them, never by the name or the
content type the browser declares: an SVG or an HTML page served from our own origin
could run script. Each is capped in size and stored once under its content hash, next
to the mirrored images.
"""

from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views import View
from PIL import Image

from .images import raster_type, store_by_hash


class EditorImageForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data["image"]
        limit = settings.ARCHIVE_UPLOAD_MAX_BYTES
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise forms.ValidationError(
                _("The image is larger than %(limit)s."), code="too_large", params={"limit": filesizeformat(limit)}
            )
        found = raster_type(content)
        if found is None:
            raise forms.ValidationError(
                _("Only JPEG, PNG, GIF and WebP images can be uploaded (no SVG)."), code="not_raster"
            )
        try:
            with Image.open(BytesIO(content)) as picture:
                picture.verify()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise forms.ValidationError(_("This file is damaged or not an image."), code="damaged") from None
        self.content, self.extension = content, found[1]
        return upload

    def save(self) -> str:
        """Store the image; its URL."""
        name, _ = store_by_hash(self.content, self.extension)
        return default_storage.url(name)


class EditorImageUploadView(View):
    """Answers markdownx's upload: the Markdown that shows the stored image, or the errors (400)."""

    http_method_names = ["post"]

    def post(self, request):
        if not (request.user.has_perm("articles.change_article") or request.user.has_perm("articles.add_article")):
            raise PermissionDenied
        form = EditorImageForm(request.POST, request.FILES)
        if not form.is_valid():
            return JsonResponse(form.errors, status=400)
        return JsonResponse({"image_code": f"![]({form.save()})"})
