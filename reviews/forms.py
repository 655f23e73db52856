from __future__ import annotations

from django import forms

from designs.forms import LfForm

from .models.comments import BODY_LIMIT


class CommentForm(LfForm, forms.Form):
    body = forms.CharField(
        label="Comment",
        # Checked by the service, so an over-long body gets a message instead of being cut by the browser.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_LIMIT}),
        strip=True,
        help_text="Markdown. Mention a member with @username to notify them.",
    )
