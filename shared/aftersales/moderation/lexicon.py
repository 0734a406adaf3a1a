"""A tenant's moderation lexicon: its own prohibited terms and allow-list on top of the shipped
defaults, edited as a draft and published as an immutable version (core.drafts.Drafts).

A term is matched on normalised text (aftersales.moderation.normalise). How it matches:
* `word`: the match must not touch a letter or digit on either side ("ass" is not in "class"); a
  single Chinese character in `word` mode matches only when no Chinese character touches it;
* `anywhere`: a plain substring of the normalised text.
Left unset, a term with Chinese characters longer than one matches anywhere, everything else by
word. Severity `low` counts less in the verdict (aftersales.moderation.verdict); unset, a single
Chinese character is low and every other term high.

An allow-list phrase lifts every term match that lies inside one of its occurrences (牛奶 lifts 奶,
"sucks" lifts itself: an opinion, not abuse). A term or phrase applies to every review's text;
`languages` chooses which shipped lists are used.

The same document carries the tenant's verdict tuning (tuning.VerdictTuning), so one version names
both what was matched and how it was weighed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from aftersales.core.drafts import DraftKind
from aftersales.core.errors import Conflict
from aftersales.core.model import DomainModel

from .normalise import EMOJI, HAN, WORD, char_class, normalise
from .tuning import VerdictTuning

MAX_TERMS = 2000
MAX_ALLOW = 2000
MAX_LENGTH = 40
MAX_DOCUMENT_CHARS = 120_000  # the stored document stays well under DynamoDB's 400 KB item

Mode = Literal["word", "anywhere"]
Severity = Literal["high", "low"]


def usable(text: str) -> bool:
    """Whether a phrase still has a letter, a Chinese character or an emoji once normalised: "13."
    or "!!!" would match every number or nothing."""
    return any(char_class(c) in (HAN, EMOJI) or (char_class(c) == WORD and not c.isdigit())
               for c in normalise(text).text)


def _matchable(value: str) -> str:
    if not usable(value):
        raise ValueError("needs a letter, a Chinese character or an emoji once normalised")
    return value


Phrase = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH), AfterValidator(_matchable)]


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Term(_Frozen):
    text: Phrase
    mode: Mode | None = None
    severity: Severity | None = None
    category: str = Field(default="profanity", pattern=r"^[a-z][a-z0-9_]{0,31}$")


class Lexicon(_Frozen):
    tenant_id: str = Field(min_length=1)
    version: int = Field(ge=0, description="0: the shipped defaults, before the tenant publishes")
    status: Literal["draft", "published"] = "draft"
    use_defaults: bool = Field(default=True, description="The shipped LDNOOBW lists and default allow-list")
    languages: frozenset[Literal["zh", "en"]] = frozenset({"zh", "en"})
    terms: tuple[Term, ...] = Field(default=(), max_length=MAX_TERMS)
    allow: tuple[Phrase, ...] = Field(default=(), max_length=MAX_ALLOW)
    verdict: VerdictTuning = Field(default_factory=VerdictTuning,
                                   description="The tenant's verdict thresholds and weights, within bounds")

    @model_validator(mode="after")
    def _bounded(self) -> Lexicon:
        size = sum(len(t.text) + len(t.category) + 24 for t in self.terms) + sum(len(a) + 4 for a in self.allow)
        if size > MAX_DOCUMENT_CHARS:
            raise ValueError(f"the lexicon is too large ({size} characters; at most {MAX_DOCUMENT_CHARS})")
        return self

    @property
    def cache_key(self) -> tuple[str, int]:
        """Which automaton serves it: every tenant on the defaults shares one."""
        return ("*", 0) if self.version == 0 else (self.tenant_id, self.version)

    def publish(self) -> Lexicon:
        if self.status == "published":
            raise Conflict("moderation.lexicon_already_published", tenant_id=self.tenant_id, version=self.version)
        return self.model_copy(update={"status": "published"})


def default_lexicon(tenant_id: str) -> Lexicon:
    return Lexicon(tenant_id=tenant_id, version=0, status="published")


LEXICON = DraftKind(Lexicon, default_lexicon, key="LEXICON", context="moderation", noun="lexicon")
