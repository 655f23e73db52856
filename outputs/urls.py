from __future__ import annotations

from django.urls import path

from . import views

app_name = "outputs"

urlpatterns = [
    path("<slug:slug>/diagrams/<slug:name>/", views.diagram_page, name="diagram"),
    path("<slug:slug>/diagrams/<slug:name>.<slug:fmt>", views.diagram_file, name="diagram-file"),
    path("<slug:slug>/report/", views.report_page, name="report"),
    path("<slug:slug>/report/export/<slug:fmt>", views.report_file, name="report-file"),
]
