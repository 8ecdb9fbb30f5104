"""The illustrations and attachments of items: `GET /pj/{name}`.

Public (an `<img>` cannot send a bearer token) and harmless so: the name is
the hash of the bytes, learnt only from an item view. Cached for a year as
immutable, since a name can only ever mean these bytes; a new bank version
that changes a file changes its name. Attachments are sent for download
under a neutral name; nothing a file is served with (name, headers) comes
from the item or its author's file name. The CSP `sandbox` keeps an SVG
opened directly from running anything, even if a check let a script in.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.domain.candidate_view import download_name
from chalicelib.services.item_files import get_item_file

bp = Blueprint(__name__)
IMMUTABLE = "public, max-age=31536000, immutable"
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@endpoint(bp, "/pj/{name}", access=access.PUBLIC, tags=("items",),
          produces="application/octet-stream",
          summary="Illustration ou fichier joint d'une épreuve (nom = empreinte du contenu)")
def item_file(ctx, name):
    found, body = get_item_file(name)
    etag = '"' + found.name.split(".", 1)[0] + '"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": FILE_CSP, "Cross-Origin-Resource-Policy": "same-origin"}
    if found.media_type.startswith("image/"):
        headers["Content-Disposition"] = "inline"
    else:
        headers["Content-Disposition"] = f'attachment; filename="{download_name(found)}"'
    if_none_match = ctx.headers.get("if-none-match") or ctx.headers.get("If-None-Match")
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(body="", status_code=304, headers=headers)
    is_text = found.media_type.startswith(("text/", "image/svg"))
    return Response(body=body.decode("utf-8") if is_text else body, status_code=200,
                    headers={"Content-Type": found.media_type, **headers})
