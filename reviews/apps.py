from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        # The step pages count open threads through this hook; the domain never imports reviews.
        from designs.presentation import register_annotations

        from .threads import comment_annotations

        register_annotations(comment_annotations)
        # The design checks read a design's own severities and dismissals through this hook.
        from checks.engine import register_decisions

        from .findings import decisions

        register_decisions(decisions)
