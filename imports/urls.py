from __future__ import annotations

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<slug:slug>/import/sql/", views.sql_import, name="sql"),
]
