"""Team review: frozen versions (design documents), comments on a step or one element (by uid),
review requests and their outcome, the activity log. Reads designs; designs never imports it."""
