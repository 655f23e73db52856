from __future__ import annotations

from django.urls import path

from . import views

app_name = "checks"

urlpatterns = [
    path("<slug:slug>/checks/", views.review_page, name="review"),
]
