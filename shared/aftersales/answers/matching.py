"""Matching a customer's message to an intent or a knowledge-base entry (pure, zh and en).

Features are TF-IDF weighted character n-grams, so Chinese needs no word segmentation: CJK runs
give character unigrams and bigrams, Latin words give the word itself plus its character trigrams
(typos still share most trigrams). A message is scored against every phrasing (the built-in
intents' and the tenant's knowledge-base questions) by cosine similarity; an intent's score is its
best phrasing's. Cues decide before any score does: asking for a person always hands off, and a
few kinds of message (complaints, disputes of a decision, changes the bot cannot make) go to a
person with the guess attached. See docs/automatic-answers.md and the decision of 2026-12-03.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

from aftersales.answers.model import Match

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset({"a", "an", "the", "is", "are", "was", "my", "i", "me", "it", "of", "to", "do", "does",
                         "did", "you", "your", "please", "pls", "plz", "hi", "hello", "and", "for", "on", "in",
                         "there", "any", "can", "could", "be", "this", "that", "what", "when", "so"})
_STOP_CHARS = frozenset("我的了吗呢啊呀吧么嘛你您请问好在是这那个一下")

PERSON_REQUESTED = re.compile(
    r"人工|真人|转接|活人|客服电话|找客服|联系客服|"
    r"\bhuman\b|real person|\bperson\b|\bagent\b|representative|\boperator\b|\bsupervisor\b|\bmanager\b|"
    r"(speak|talk|chat) (to|with) (someone|somebody|anyone)|"
    # the other customer languages: the word each catalog's automatic-answer note tells them to send
    r"担当者|オペレーター|有人対応|상담원|상담사|\bagente\b|\bpersona\b|\bMitarbeiter(in)?\b|\bMenschen?\b|"
    r"\bconseill[eè]re?\b|\bhumain\b|\bop[ée]rat(eur|rice)\b", re.IGNORECASE)
NEEDS_PERSON = re.compile(
    r"投诉|差评|举报|律师|起诉|报警|12315|消协|骗子|欺诈|拒绝|驳回|不同意|为什么拒|凭什么|"
    r"取消|撤销|修改|改成|改地址|换地址|换成|退一半|部分退|赔偿|补偿|少退|退少|金额不对|多扣|"
    r"坏了|坏的|破损|损坏|质量|发错|漏发|少发|"
    r"\bcomplain|\bcomplaint|\blawyer|\bsue\b|\bscam|\bfraud|chargeback|\brejected\b|\bdenied\b|\bdeclined\b|"
    r"\bcancel|\bchange (my|the) (address|order|item)|\bcompensat|\bpartial|\bbroken\b|\bdamaged?\b|"
    r"\bdefect|\bwrong (item|size|colou?r|amount)|\bmissing\b|\bless than\b", re.IGNORECASE)


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def features(text: str) -> Counter[str]:
    """Character n-grams of a message: CJK unigrams (minus particles) and bigrams; Latin words and
    their character trigrams (with word boundaries)."""
    text = normalize(text)
    grams: Counter[str] = Counter()
    for run in _CJK.findall(text):
        grams.update(c for c in run if c not in _STOP_CHARS)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(text):
        if word in _STOP_WORDS:
            continue
        grams[f"w:{word}"] += 1
        padded = f"^{word}$"
        grams.update(f"t:{padded[i:i + 3]}" for i in range(len(padded) - 2))
    return grams


def cue(text: str) -> str | None:
    """person_requested (always hands off), needs_person (a person decides), or None."""
    if PERSON_REQUESTED.search(text):
        return "person_requested"
    if NEEDS_PERSON.search(text):
        return "needs_person"
    return None


class Matcher:
    """A TF-IDF index over phrasings, each labelled with its intent; built once per tenant's
    knowledge base and kept with it (a few hundred phrasings build in milliseconds)."""

    def __init__(self, phrasings: Iterable[tuple[str, str]]) -> None:
        labelled = [(intent, features(text)) for intent, text in phrasings]
        labelled = [(intent, grams) for intent, grams in labelled if grams]
        documents = len(labelled) or 1
        frequency: Counter[str] = Counter()
        for _, grams in labelled:
            frequency.update(grams.keys())
        self._idf = {gram: math.log((1 + documents) / (1 + count)) + 1.0 for gram, count in frequency.items()}
        self._unseen_idf = math.log(1 + documents) + 1.0
        self._vectors = [(intent, self._weigh(grams, known_only=True)) for intent, grams in labelled]
        self._by_gram: dict[str, list[int]] = {}
        for index, (_, vector) in enumerate(self._vectors):
            for gram in vector:
                self._by_gram.setdefault(gram, []).append(index)

    def __len__(self) -> int:
        return len(self._vectors)

    def _weigh(self, grams: Mapping[str, int], *, known_only: bool = False) -> dict[str, float]:
        weights = {g: (1.0 + math.log(n)) * self._idf.get(g, self._unseen_idf) for g, n in grams.items()
                   if not known_only or g in self._idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}

    def scores(self, text: str) -> dict[str, float]:
        """Each intent's best cosine similarity with the message (intents sharing no n-gram: absent)."""
        query = self._weigh(features(text))
        dots: dict[int, float] = {}
        for gram, weight in query.items():
            for index in self._by_gram.get(gram, ()):
                dots[index] = dots.get(index, 0.0) + weight * self._vectors[index][1][gram]
        best: dict[str, float] = {}
        for index, dot in dots.items():
            intent = self._vectors[index][0]
            if dot > best.get(intent, 0.0):
                best[intent] = dot
        return best

    def match(self, text: str) -> Match:
        found = cue(text)
        ranked = sorted(self.scores(text).items(), key=lambda kv: kv[1], reverse=True)
        if not ranked:
            return Match(intent=None, confidence=0.0, cue=found)
        (intent, score), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        return Match(intent=intent, confidence=round(score, 4), runner_up=round(runner_up, 4), cue=found)
