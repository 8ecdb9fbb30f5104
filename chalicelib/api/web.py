"""The web front: pages and their assets, served by the same deployment.

Files live in `chalicelib/web/` (chalice ships `chalicelib/` whole, so `make
package` carries them) and are read once per cold start. Pages are small
templates, each a `<main>` content set in the shared frame of `layout.html`
(`compose`): `{{root}}` is the relative path back to the site root and
`{{assets}}` the versioned asset folder, so the front works at the domain root
and behind a path prefix alike, with no absolute URL anywhere.

Caching: assets are addressed by a hash of the whole folder
(`/web/<version>/<name>`), hence immutable for a year; pages are revalidated on
every visit (ETag, 304), so a deployment reaches every browser at once.
Every page carries a strict Content-Security-Policy: no inline script or
style, nothing from another origin.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.domain.errors import NotFound

bp = Blueprint(__name__)
TAGS = ("web",)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
LAYOUT = "layout.html"  # the frame of every page (see compose)

# route -> (file, summary). One path segment each except the reset link, whose
# URL is fixed by the e-mail the platform sends (services/authentication.py).
PAGES: dict[str, tuple[str, str]] = {
    "/": ("index.html", "Page d'accueil"),
    "/inscription": ("inscription.html", "Page : créer un compte"),
    "/connexion": ("connexion.html", "Page : se connecter"),
    "/mot-de-passe-oublie": ("mot-de-passe-oublie.html", "Page : mot de passe oublié"),
    "/mot-de-passe/nouveau": ("mot-de-passe-nouveau.html", "Page : choisir un nouveau mot de passe"),
    "/profil": ("profil.html", "Page : mon profil de compétences"),
    "/positionnement": ("positionnement.html", "Page : test de positionnement"),
    "/certification": ("certification.html", "Page : passer la certification"),
    "/surveillance": ("surveillance.html", "Page : espace surveillant"),
    "/etablissement": ("etablissement.html", "Page : espace établissement (élèves, comptes, campagnes)"),
    "/campagne": ("campagne.html", "Page : une campagne de l'établissement (code, suivi, résultats)"),
    "/code": ("code.html", "Page : j'ai un code (rejoindre une campagne) et mes parcours"),
    # learner pages (issue 20): what registration asks to accept
    "/cgu": ("cgu.html", "Page : conditions générales d'utilisation"),
    "/confidentialite": ("confidentialite.html", "Page : politique de confidentialité"),
    # --- centre and administrator spaces (issue 19) ---
    "/centre": ("centre.html", "Page : espace centre de certification (sessions, candidats, kit, finalisation)"),
    "/administration": ("administration.html", "Page : administration (organisations, centres, jury)"),
    # --- end centre and administrator spaces ---
    "/verification": ("verification.html", "Page : vérifier un certificat (lien du QR code)"),
    "/issuer": ("emetteur.html", "Page : l'émetteur des Open Badges"),
}
# Pages whose URL also serves machines: their route negotiates (Accept) and calls
# `send_page` for people; the loop below does not register them.
# chalicelib/api/certificates.py: the issuer profile; the site root, which is also the
# controller document of the key of badges issued before the profile
NEGOTIATED = frozenset({"/issuer", "/"})

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # reset tokens and verification codes travel in query strings: never in a Referer
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    body: str
    content_type: str
    etag: str


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every non-page file of the folder, by file name (flat: no sub-folders)."""
    out = {}
    for path in sorted(WEB_DIR.iterdir()):
        if path.is_file() and path.suffix in CONTENT_TYPES and path.suffix != ".html":
            body = path.read_text(encoding="utf-8")
            out[path.name] = Asset(body, CONTENT_TYPES[path.suffix], _etag(body))
    return out


@lru_cache(maxsize=1)
def version() -> str:
    digest = hashlib.sha256()
    for name, asset in sorted(assets().items()):
        digest.update(name.encode() + b"\0" + asset.body.encode() + b"\0")
    return digest.hexdigest()[:12]


_FRONT_MATTER = re.compile(r"\A<!--\n(?P<fields>(?:[a-z]+: .*\n)+)-->\n")


_STATIC_IMPORT = re.compile(r"""(?:^|[;\s])(?:import|from)\s*'\./([\w.-]+\.js)'""", re.MULTILINE)


def static_imports(script: str) -> list[str]:
    """The modules `script` imports statically, transitively, in first-seen order.

    Without `<link rel="modulepreload">` the browser learns of ui.js only once
    the page's script has arrived and been parsed, then of api.js once ui.js
    has: one round trip per level of imports (about 560 ms each on 3G, see
    docs/benchmarks.md). Preloading them from the page's head fetches them all
    at once. Dynamic `import()` stays lazy: it is not listed."""
    seen: list[str] = []
    todo = [script]
    while todo:
        name = todo.pop(0)
        for found in _STATIC_IMPORT.findall((WEB_DIR / name).read_text(encoding="utf-8")):
            if found != script and found not in seen:
                seen.append(found)
                todo.append(found)
    return seen


def compose(file: str) -> str:
    """A page file holds its `<main>` content after a comment naming its title,
    script and (if not the title) description; `layout.html` holds the frame
    every page shares (head, skip link, menu, footer, live region)."""
    text = (WEB_DIR / file).read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ValueError(f"chalicelib/web/{file}: no front matter (title, script)")
    fields = dict(line.split(": ", 1) for line in match.group("fields").splitlines())
    layout = (WEB_DIR / LAYOUT).read_text(encoding="utf-8")
    preload = "".join(f'<link rel="modulepreload" href="{{{{assets}}}}/{name}">\n'
                      for name in static_imports(fields["script"]))
    for key, value in (("title", fields["title"]), ("description", fields.get("description", fields["title"])),
                       ("script", fields["script"]), ("preload", preload), ("content", text[match.end():])):
        layout = layout.replace("{{" + key + "}}", value)
    return layout


@lru_cache(maxsize=None)
def page(route: str) -> Asset:
    file, _ = PAGES[route]
    depth = max(0, route.count("/") - 1)
    root = "../" * depth or "./"
    body = compose(file).replace("{{assets}}", f"{root}web/{version()}").replace("{{root}}", root)
    return Asset(body, CONTENT_TYPES[".html"], _etag(body))


def _etag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:20] + '"'


def _send(ctx, asset: Asset, cache: str, extra: dict | None = None) -> Response:
    headers = {"ETag": asset.etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff",
               **(extra or {})}
    if_none_match = ctx.headers.get("if-none-match") or ctx.headers.get("If-None-Match")
    if if_none_match and asset.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=asset.body, status_code=200,
                    headers={"Content-Type": asset.content_type, **headers})


def send_page(ctx, route: str, extra: dict | None = None) -> Response:
    """A page as every page is sent (revalidated, security headers)."""
    return _send(ctx, page(route), "no-cache", {**SECURITY_HEADERS, **(extra or {})})


def _page_view(route: str):
    def view(ctx, **_):
        return send_page(ctx, route)

    slug = route.strip("/").replace("/", "_").replace("-", "_") or "home"
    view.__name__ = view.__qualname__ = f"web_page_{slug}"
    return view


for _route, (_file, _summary) in PAGES.items():
    if _route in NEGOTIATED:
        continue
    endpoint(bp, _route, access=access.PUBLIC, summary=_summary, tags=TAGS,
             produces="text/html")(_page_view(_route))


@endpoint(bp, "/web/{asset_version}/{name}", access=access.PUBLIC, tags=TAGS,
          produces="text/javascript",
          summary="Fichiers du site (JavaScript, CSS, icône), versionnés par empreinte")
def web_asset(ctx, asset_version, name):
    asset = assets().get(name)
    if asset is None:
        raise NotFound("Fichier introuvable.", code="asset_not_found")
    # an old page asking for an old version gets today's file, cached briefly
    return _send(ctx, asset, IMMUTABLE if asset_version == version() else SHORT)
