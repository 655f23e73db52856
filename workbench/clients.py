"""The client's address, as the login throttle, the sign-up limit and the logs see it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the entry
    TRUSTED_PROXY_COUNT from the right is the last one a trusted proxy wrote; anything left of it
    came from the client and could be made up. A missing or malformed entry falls back to
    REMOTE_ADDR, so a forged header never yields a fresh address to throttle under.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
