from __future__ import annotations

from django.urls import path

from . import views

app_name = "checks"

urlpatterns = [
    path("<slug:slug>/checks/", views.review_page, name="review"),
    path("<slug:slug>/checks/<slug:step_key>/", views.step_findings, name="step-findings"),
]
