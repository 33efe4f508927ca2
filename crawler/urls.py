"""URL hygiene: one article, one URL, whatever tracking parameters it was linked with."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that never select content on a news site: campaign tags and click ids.
_TRACKING_PREFIXES = ("utm_", "fb_", "ga_")
_TRACKING_NAMES = {"fbclid", "gclid", "dclid", "msclkid", "zarsrc", "gidzl", "igshid", "mc_cid",
                   "mc_eid", "_ga", "ref", "refsrc", "src", "cmpid", "itm_source", "itm_campaign"}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """Drop the fragment and tracking parameters; keep everything else as given."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def rebase(url: str, domains: tuple[str, ...] | list[str], base_url: str) -> str:
    """Move a URL on one of a site's real domains onto base_url (a mirror); others unchanged."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(host == d or host.endswith("." + d) for d in domains):
        return url
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")
