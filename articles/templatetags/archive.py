"""Template helpers for the public pages' <head>: canonical addresses and structured data."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Inside <script> only these characters can end the element or open a comment; as JSON escapes they
# mean the same to a JSON-LD reader and nothing to the HTML parser.
SCRIPT_SAFE_JSON = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# Query parameters that choose what a list shows; every other one (tracking, typos) is not part of
# the page's canonical address. A view whose list another parameter chooses names it in its
# context's ``canonical_parameters`` (the people index narrowed to a tag: "tag").
CANONICAL_PARAMETERS = ("page",)


@register.filter
def json_ld(data: dict) -> str:
    """A <script type="application/ld+json"> element that no value in ``data`` can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(SCRIPT_SAFE_JSON)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's absolute address without the parameters that do not change what it shows."""
    request = context["request"]
    chosen = context.get("canonical_parameters", CANONICAL_PARAMETERS)
    kept = request.GET.copy()
    for name in list(kept):
        if name not in chosen or kept.get(name) == "" or (name == "page" and kept.get(name) == "1"):
            del kept[name]
    query = kept.urlencode()
    return request.build_absolute_uri(request.path + (f"?{query}" if query else ""))
