"""Forms of versions and reviews; the rules themselves live in reviews/versions.py."""

from __future__ import annotations

from typing import Any

from django import forms

from designs.forms import LfForm
from designs.models import Design, Membership
from designs.models.base import Permission

from .models import ReviewDecision
from .models.versions import step_choices


class VersionForm(forms.Form):
    message = forms.CharField(
        max_length=2000, required=False, widget=forms.TextInput, help_text="What this version is, in a line."
    )


class ReviewRequestForm(LfForm, forms.Form):
    """The message, then per member who may review: a box to ask them and the steps they cover."""

    message = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text="What to look at.")

    def __init__(self, *args: Any, design: Design, author: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = [
            membership.user
            for membership in Membership.objects.filter(design=design).select_related("user").order_by("user__username")
            if membership.can(Permission.COMMENT) and membership.user_id != author.pk
        ]
        for user in self.candidates:
            self.fields[f"reviewer_{user.pk}"] = forms.BooleanField(required=False, label=user.get_username())
            self.fields[f"steps_{user.pk}"] = forms.MultipleChoiceField(
                choices=step_choices(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=f"Steps for {user.get_username()}",
                help_text="None ticked: the whole design.",
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(user, self[f"reviewer_{user.pk}"], self[f"steps_{user.pk}"]) for user in self.candidates]

    def reviewers(self) -> dict[Any, list[str]]:
        return {
            user: self.cleaned_data[f"steps_{user.pk}"]
            for user in self.candidates
            if self.cleaned_data.get(f"reviewer_{user.pk}")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.candidates and not any(cleaned.get(f"reviewer_{user.pk}") for user in self.candidates):
            raise forms.ValidationError("Choose at least one reviewer.")
        return cleaned


class DecisionForm(LfForm, forms.Form):
    verdict = forms.ChoiceField(choices=ReviewDecision.Verdict.choices, widget=forms.RadioSelect)
    summary = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text="What you found.")
