from __future__ import annotations

from django.urls import path

from . import openapi_views, views

app_name = "imports"

urlpatterns = [
    path("<slug:slug>/import/sql/", views.sql_import, name="sql"),
    path("<slug:slug>/import/openapi/", openapi_views.openapi_import, name="openapi"),
]
