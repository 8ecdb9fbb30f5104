"""Campaign routes: the organisation's campaigns and their results (JSON pages
and a paged CSV export), and the learner's side (code, reconciliation, join,
progress, share)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.api import access
from chalicelib.api import responses
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.services import campaigns
from chalicelib.services.campaigns import CampaignInput

bp = Blueprint(__name__)
CAMPAIGN = "/organizations/{org_id}/campaigns/{campaign_id}"
READ = access.org_member(scope="campaigns-read")
RESULTS = access.org_member(scope="campaign-results")  # the school space reads them too
TAGS = ("campaigns",)


class ResultsQuery(ApiModel):
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=campaigns.JSON_PAGE[0], ge=1, le=campaigns.JSON_PAGE[1])


class ExportQuery(ApiModel):
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=campaigns.CSV_PAGE[0], ge=1, le=campaigns.CSV_PAGE[1])


class ReconciliationBody(ApiModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date


# --- organisation side ---------------------------------------------------------------------------


@endpoint(bp, "/organizations/{org_id}/campaigns", method="POST",
          response=responses.Campaign, access=access.org_member(scope="campaigns-write"), body=CampaignInput,
          status=201, tags=TAGS, summary="Créer une campagne (évaluation ou collecte de profils)")
def create_campaign(ctx, org_id, body):
    return campaigns.create(org_id, body, ctx.user_id or (ctx.principal.subject if ctx.principal else None))


@endpoint(bp, "/organizations/{org_id}/campaigns", response=responses.Campaigns, access=READ, tags=TAGS,
          summary="Campagnes de l'organisation")
def list_campaigns(ctx, org_id):
    return campaigns.list_for_org(org_id)


@endpoint(bp, CAMPAIGN, response=responses.Campaign, access=READ, tags=TAGS, summary="Une campagne et son profil cible")
def get_campaign(ctx, org_id, campaign_id):
    return campaigns.get(org_id, campaign_id)


@endpoint(bp, CAMPAIGN + "/results", response=responses.CampaignResults, access=RESULTS, query=ResultsQuery, tags=TAGS,
          summary="Résultats partagés, paginés par curseur")
def campaign_results(ctx, org_id, campaign_id, query):
    return campaigns.results(org_id, campaign_id, query.cursor, query.limit)


@endpoint(bp, CAMPAIGN + "/results/export", access=RESULTS, query=ExportQuery, tags=TAGS,
          produces="text/csv",
          summary="Export CSV des résultats, par pages (en-têtes X-Next-Cursor et Link)")
def export_results(ctx, org_id, campaign_id, query):
    page = campaigns.results_csv(org_id, campaign_id, query.cursor, query.limit)
    headers = {"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
               "Content-Disposition": f'attachment; filename="{page.filename}"'}
    if page.next_cursor:
        headers["X-Next-Cursor"] = page.next_cursor
        headers["Link"] = (f"</organizations/{org_id}/campaigns/{campaign_id}/results/export"
                           f"?cursor={quote(page.next_cursor)}&limit={query.limit}>; rel=\"next\"")
    return Response(body=page.text, status_code=200, headers=headers)


# --- learner side --------------------------------------------------------------------------------


@endpoint(bp, "/campaigns/{code}", access=access.USER, tags=TAGS,
          summary="Campagne d'un code : organisation, type, rattachement nécessaire")
def campaign_by_code(ctx, code):
    return campaigns.by_code(ctx.user_id, code)


@endpoint(bp, "/campaigns/{code}/reconciliation", method="POST", access=access.USER,
          body=ReconciliationBody, tags=TAGS,
          summary="Se retrouver dans la liste des élèves (nom, prénom, date de naissance)")
def reconcile(ctx, code, body):
    return campaigns.reconcile(ctx.user_id, code, body.first_name, body.last_name, body.birth_date)


@endpoint(bp, "/campaigns/{code}/participation", method="POST", access=access.USER, status=201,
          tags=TAGS, summary="Rejoindre la campagne (idempotent)")
def join(ctx, code):
    return campaigns.join(ctx.user_id, code)


@endpoint(bp, "/me/campaign-participations", access=access.USER, tags=TAGS,
          summary="Mes campagnes")
def my_participations(ctx):
    return campaigns.my_participations(ctx.user_id)


@endpoint(bp, "/me/campaign-participations/{campaign_id}", access=access.USER, tags=TAGS,
          summary="Ma participation : progression par compétence, résultat envoyé")
def my_participation(ctx, campaign_id):
    return campaigns.my_participation(ctx.user_id, campaign_id)


@endpoint(bp, "/me/campaign-participations/{campaign_id}/share", method="POST", access=access.USER,
          tags=TAGS, summary="Envoyer mes résultats à l'organisation (une fois, figés)")
def share(ctx, campaign_id):
    return campaigns.share(ctx.user_id, campaign_id)
