"""Who published a text, from what the text itself says.

Sources name their publisher in a handful of ways: a wire credit at the end
(a dash and "Bernama"), the site's name in the dateline ("TRIBUN-BALI.COM, MANGUPURA -",
"Jakarta (ANTARA) -"), a "Sumber:" line with a name or a URL, or, for a press
release, the office signing it off ("Kementerian Pertahanan Malaysia"). The
first of these found, in that order of trust, names the outlet; a text that
names none gets none, rather than a guess from its style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from briefings.importing.boilerplate import dateline

# Hosts whose outlet goes by a name other than the host's.
KNOWN_HOSTS = {
    "vietnamplus.vn": "VietnamPlus",
    "bernama.com": "Bernama",
    "tribunnews.com": "Tribunnews",
    "bali.tribunnews.com": "Tribun Bali",
    "tribun-bali.com": "Tribun Bali",
    "antaranews.com": "ANTARA",
    "kompas.com": "Kompas",
    "kompas.id": "Kompas",
    "detik.com": "detikcom",
    "tempo.co": "Tempo",
    "cnnindonesia.com": "CNN Indonesia",
    "thejakartapost.com": "The Jakarta Post",
    "thestar.com.my": "The Star",
    "nst.com.my": "New Straits Times",
    "malaymail.com": "Malay Mail",
    "bharian.com.my": "Berita Harian",
    "utusan.com.my": "Utusan Malaysia",
    "hmetro.com.my": "Harian Metro",
    "sinarharian.com.my": "Sinar Harian",
    "astroawani.com": "Astro Awani",
    "straitstimes.com": "The Straits Times",
    "vnexpress.net": "VnExpress",
    "mod.gov.my": "Kementerian Pertahanan Malaysia",
    "kemhan.go.id": "Kementerian Pertahanan Republik Indonesia",
    "polri.go.id": "Polri",
    "asean.org": "ASEAN",
}
# Wire services credited at the end of a story or in a dateline.
WIRE_SERVICES = {
    "bernama": "Bernama",
    "antara": "ANTARA",
    "reuters": "Reuters",
    "afp": "AFP",
    "ap": "AP",
    "xinhua": "Xinhua",
    "vna": "VNA",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
}

_URL = re.compile(r"https?://[^\s<>\"'“”]+")
_CREDIT_AT_END = re.compile(
    r"(?:[–—]|-{1,2}|\()\s*(?P<credit>[A-Za-z]{2,12})\s*\)?\s*$"
)
_DOMAIN = re.compile(
    r"^[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:COM|CO|ID|MY|VN|NET)$", re.I
)
# A press office signing off: "Kementerian Pertahanan Malaysia", "Bahagian
# Komunikasi Korporat", "Divisi Humas Polri", "Ministry of Defence".
_OFFICE = re.compile(
    r"^\s*(?:Kementerian|Kementrian|Jabatan|Bahagian|Pejabat|Unit|Biro|Pusat|"
    r"Markas|Angkatan|Kedutaan|Badan|Lembaga|Direktorat|Divisi|Humas|"
    r"Sekretariat|Ministry|Department|Office|Embassy)\b[^.!?:\n]{0,120}$"
)


@dataclass(frozen=True, slots=True)
class Outlet:
    """The publisher a text names, and where it names it.

    `text` is the source's own wording; `actor_id` the curated actor of that
    name, when a gazetteer was given and knows exactly one.
    """

    name: str
    text: str
    how: str
    actor_id: int | None = None


def host_name(url: str) -> str:
    """The outlet behind a URL: a known name, or the host without "www."."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for candidate in (host, host.partition(".")[2]):
        if candidate in KNOWN_HOSTS:
            return KNOWN_HOSTS[candidate]
    return host


def first_url(text: str) -> str:
    match = _URL.search(text)
    return match.group(0).rstrip(".,;)]") if match else ""


def find_outlet(
    *, sources: list[str], lead: str | None, footer: list[str]
) -> Outlet | None:
    """The outlet named by the "Sumber:" lines, the lead's dateline, a wire
    credit at the end of the story or a sign-off, in that order.

    `footer` holds the body's lines from the last paragraph of the story on.
    """
    for source in sources:
        url = first_url(source)
        if url:
            return Outlet(host_name(url), source, "source URL")
        name = source.strip().rstrip(".")
        if name:
            return Outlet(name, source, "source line")
    if lead:
        match = dateline(lead)
        if match:
            agency = next(
                (g for g in match.group("agency", "agency2", "agency3") if g), None
            )
            place = match.group("place") or ""
            if agency:
                name = WIRE_SERVICES.get(agency.strip().casefold(), agency.strip())
                return Outlet(name, agency, "dateline")
            if _DOMAIN.match(place):
                return Outlet(
                    KNOWN_HOSTS.get(place.casefold(), place.casefold()),
                    place,
                    "dateline",
                )
    for line in reversed(footer):
        if not line.strip():
            continue
        match = _CREDIT_AT_END.search(line)
        if match and match.group("credit").casefold() in WIRE_SERVICES:
            credit = match.group("credit")
            return Outlet(
                WIRE_SERVICES[credit.casefold()], match.group(0).strip(), "wire credit"
            )
    for line in footer:
        if _OFFICE.match(line) and len(line.split()) <= 10:
            return Outlet(line.strip(), line.strip(), "sign-off")
    return None
