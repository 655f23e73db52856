from __future__ import annotations

from django.urls import path

from . import views

app_name = "checks"

urlpatterns = [
    path("<slug:slug>/checks/", views.review_page, name="review"),
    path("<slug:slug>/checks/<slug:step_key>/", views.step_findings, name="step-findings"),
    path("<slug:slug>/traceability/", views.traceability_page, name="traceability"),
    path("<slug:slug>/threat-suggestions/", views.suggestions_page, name="threat-suggestions"),
    path("<slug:slug>/threat-suggestions/accept/", views.suggestion_accept, name="threat-accept"),
    path("<slug:slug>/threat-suggestions/dismiss/", views.suggestion_dismiss, name="threat-dismiss"),
    path("<slug:slug>/threats.csv", views.threats_download, name="threats-csv"),
]
