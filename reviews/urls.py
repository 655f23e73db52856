from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("<slug:slug>/versions/", views.version_list, name="versions"),
    path("<slug:slug>/versions/<int:number>/", views.version_page, name="version"),
    path("<slug:slug>/versions/<int:number>/export/<slug:fmt>", views.version_file, name="version-file"),
    path("<slug:slug>/versions/<int:number>/restore/", views.version_restore, name="version-restore"),
    path("<slug:slug>/diff/", views.diff_page, name="diff"),
    path("<slug:slug>/diff/<slug:name>.svg", views.diff_diagram, name="diff-diagram"),
    path("<slug:slug>/reviews/", views.review_list, name="reviews"),
    path("<slug:slug>/reviews/<int:pk>/", views.review_page, name="review"),
]
