"""The language of an error answer: `Accept-Language` chooses between Ladder's two.

Every error carries `message` (Chinese, the default) and `message_en` (always English). A
request whose `Accept-Language` prefers English over Chinese gets the English text in
`message` too; anything else — no header, `*`, only languages Ladder does not speak, a header
that cannot be read — gets zh-CN. The choice applies to the whole envelope: `message` of the
error and of every object in `details` that carries a `message`/`message_en` pair (the
fields of a validation error, the row problems of a list push). Error answers say which
language they chose (`Content-Language`) and that it depended on the header
(`Vary: Accept-Language`), so a cache never serves one client's language to another.

The header is read by RFC 9110 §12.5.4 (a list of language ranges, each with an optional
`q` weight of at most three decimals; `q=0` means "not this one"). A range counts for a
language by its primary subtag, so `en-US`, `en-GB` and `en` all mean English and `zh-TW`
means Chinese (Ladder has only the one Chinese); `*` stands for every language the header
does not name. A language weighs what its heaviest range says; the heavier of the two wins;
at equal weight a language named outright beats one reached through `*`, then the one
named first; a full tie is the default. So `en-US,en;q=0.9` and `zh-CN;q=0.5,en;q=0.8` are
English, `*` and `fr` are Chinese, `fr,en;q=0.5` is English. A malformed element is skipped,
not the header; at most `MAX_RANGES` elements are read.

Why not a library: werkzeug (in the lock file only as a test tool's dependency) matches tags
exactly before it falls back to primary subtags, so `zh-TW,en;q=0.1` would come out English
although the client prefers Chinese ten to one; babel is not in the lock file, and this
needs two languages, not locale data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import MutableHeaders

DEFAULT_LANGUAGE = "zh-CN"
ENGLISH = "en"
LANGUAGES = (DEFAULT_LANGUAGE, ENGLISH)
MAX_RANGES = 32

# RFC 4647 §2.1 language-range: `*`, or 1*8ALPHA *("-" 1*8alphanum).
_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# RFC 9110 §12.4.2 qvalue: ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_PRIMARY = {"zh": DEFAULT_LANGUAGE, "en": ENGLISH}


def negotiate(accept_language: str | None) -> str:
    """`en` or `zh-CN` (the default) for an `Accept-Language` value (see the module)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    # language → (weight, named outright, -position) of its heaviest range
    weights: dict[str, tuple[float, bool, int]] = {}
    wildcard: tuple[float, bool, int] | None = None
    for position, element in enumerate(accept_language.split(",")[:MAX_RANGES]):
        parsed = _element(element)
        if parsed is None:
            continue
        tag, q = parsed
        if tag == "*":
            if wildcard is None or q > wildcard[0]:
                wildcard = (q, False, -position)
            continue
        language = _PRIMARY.get(tag.split("-", 1)[0].lower())
        if language is None:
            continue
        weight = (q, True, -position)
        if language not in weights or q > weights[language][0]:
            weights[language] = weight
    ranked = {
        language: weights.get(language, wildcard or (0.0, False, 0)) for language in LANGUAGES
    }
    english, chinese = ranked[ENGLISH], ranked[DEFAULT_LANGUAGE]
    return ENGLISH if english[0] > 0 and english > chinese else DEFAULT_LANGUAGE


def _element(element: str) -> tuple[str, float] | None:
    """`en-US;q=0.8` → (`en-US`, 0.8); None when malformed."""
    tag, *params = (part.strip(" \t") for part in element.split(";"))
    if not _RANGE.fullmatch(tag) or len(params) > 1:
        return None
    if not params:
        return tag, 1.0
    name, _, value = params[0].partition("=")
    if name.strip(" \t").lower() != "q" or not _QVALUE.fullmatch(value.strip(" \t")):
        return None
    return tag, float(value)


def language_of(values: Iterable[str]) -> str:
    """The language for a request's `Accept-Language` lines (a field sent on several lines
    is one list, RFC 9110 §5.3)."""
    return negotiate(", ".join(values))


def scope_language(scope: Any) -> str:
    """The language for an ASGI scope's request (for answers written by middleware)."""
    return language_of(
        value.decode("latin-1")
        for name, value in scope.get("headers") or ()
        if name.lower() == b"accept-language"
    )


def localized(body: dict[str, Any], language: str) -> dict[str, Any]:
    """The error envelope in `language`: for English, a copy whose every `message` with a
    `message_en` beside it is the English one; for the default, `body` itself."""
    if language != ENGLISH:
        return body
    return _english(body)


def _english(value: Any) -> Any:
    if isinstance(value, dict):
        out = {key: _english(item) for key, item in value.items()}
        if "message" in out and isinstance(out.get("message_en"), str):
            out["message"] = out["message_en"]
        return out
    if isinstance(value, list):
        return [_english(item) for item in value]
    return value


def add_vary(headers: MutableHeaders, *names: str) -> None:
    """Add `names` to the answer's `Vary` (one field, each name once)."""
    present = [v.strip() for line in headers.getlist("vary") for v in line.split(",")]
    present = [v for v in present if v]
    lowered = {v.lower() for v in present}
    added = [n for n in names if n.lower() not in lowered]
    if not added:
        return
    del headers["vary"]
    headers["Vary"] = ", ".join([*present, *added])


def language_headers(language: str) -> dict[str, str]:
    """What an error answer says about its language."""
    return {"Content-Language": language, "Vary": "Accept-Language"}
