"""Which locale a customer reads: their profile's tag, then wider ones, then the default.

``pt-BR`` falls back to ``pt``, then to any other shipped ``pt-*`` (a Portuguese reader
prefers Brazilian Portuguese to English), then to the default. Scripts come from CLDR's
likely subtags, so ``zh-CN`` and a bare ``zh`` find ``zh-Hans`` while ``zh-TW`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global


@dataclass(frozen=True)
class LocaleTag:
    language: str
    script: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        return "-".join(part for part in (self.language, self.script, self.region) if part)


_SUBTAG = re.compile(r"[-_]")


@lru_cache(maxsize=1024)
def parse_tag(raw: str) -> LocaleTag:
    """``pt_br`` -> ``pt-BR``; ``zh-hans-cn`` -> ``zh-Hans-CN``; unknown parts are ignored."""
    parts = [part for part in _SUBTAG.split(raw.strip()) if part]
    if not parts or not parts[0].isalpha():
        return LocaleTag(language="und")
    language, script, region = parts[0].lower(), None, None
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and script is None and region is None:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = region or part.upper()
    return LocaleTag(language=language, script=script, region=region)


# Languages written in more than one script: there the script decides what a reader can read.
_MULTI_SCRIPT_LANGUAGES = frozenset({"zh", "sr", "uz", "az", "bs", "pa", "mn", "ms", "ha", "yue"})


def _likely_script(tag: LocaleTag) -> str | None:
    if tag.language not in _MULTI_SCRIPT_LANGUAGES:
        return None
    likely: dict[str, str] = get_global("likely_subtags")
    for key in (f"{tag.language}_{tag.region}", tag.language):
        if key in likely:
            parts = likely[key].split("_")
            return parts[1] if len(parts) > 2 else None
    return None


@lru_cache(maxsize=1024)
def candidate_chain(raw: str) -> tuple[str, ...]:
    """Tags to try, most specific first, before any sibling or the default."""
    tag = parse_tag(raw)
    script = tag.script or _likely_script(tag)
    candidates = [str(tag)]
    if script:
        candidates += [str(LocaleTag(tag.language, script, tag.region)), f"{tag.language}-{script}"]
    candidates += [str(LocaleTag(tag.language, None, tag.region)), tag.language]
    return tuple(dict.fromkeys(candidates))


def fallback_chain(raw: str, available: Collection[str], default: str) -> tuple[str, ...]:
    """Every available locale worth trying for ``raw``, best first, ending with ``default``."""
    wanted = candidate_chain(raw)
    language = parse_tag(raw).language
    chain = [tag for tag in wanted if tag in available]
    chain += sorted(tag for tag in available if parse_tag(tag).language == language)
    chain.append(default)
    return tuple(dict.fromkeys(chain))


@lru_cache(maxsize=256)
def babel_locale(raw: str, fallback: str = "en") -> Locale:
    """The babel locale for formatting dates and money: the customer's own when babel knows it."""
    for tag in (*candidate_chain(raw), *candidate_chain(fallback)):
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def text_direction(raw: str) -> str:
    """``rtl`` for Arabic, Hebrew, Persian...; ``ltr`` otherwise (for the e-mail's HTML)."""
    return "rtl" if babel_locale(raw).character_order == "right-to-left" else "ltr"
