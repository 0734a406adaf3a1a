"""The bot's turn on an inbound channel message: answer it automatically, or hand the conversation
to an agent with its guess attached.

An automatic answer needs all of: no cue that a person must answer (asking for one always hands
off), a confident match (the best phrasing's similarity at least `threshold`, and `margin` ahead
of any other intent's), and an answer the customer's own ticket supports (computed.py) or a
knowledge-base answer in the customer's language. The answer goes on the conversation as an
outbound item by the bot (`author` bot:answers, `data.automatic` true) with a `ticket.auto_answered`
entry on the audit chain, which the notifications outbox delivers like a staff reply. Otherwise
`ticket.bot_handed_off` goes on the chain and the customer's message keeps its response clock
running. Either way the guess (intent, confidence, reason, suggested answer) is kept on the
customer's message itself (`data.bot`), where the agent reads it.

Nothing here logs message bodies or answers."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from aftersales.answers import computed
from aftersales.answers.knowledge import Knowledge, KnowledgeBase
from aftersales.answers.matching import is_chinese
from aftersales.answers.model import KB_PREFIX, MODEL_VERSION, Decision, Match, Reply
from aftersales.answers.ports import AnsweredTickets, ConversationWriter, CustomerViews
from aftersales.channels.ports import BotGuess, ConversationItem
from aftersales.core.clock import Clock, iso
from aftersales.core.i18n import supported, translate
from aftersales.core.ids import new_id
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role

logger = Logger(child=True)
BOT = Actor(id="system:answers", roles=frozenset({Role.SYSTEM}))
AUTHOR = "bot:answers"
AUTO_ANSWERED = "ticket.auto_answered"
HANDED_OFF = "ticket.bot_handed_off"
THRESHOLD = 0.42
MARGIN = 0.06


def reply_locale(text: str, ticket_locale: str) -> str:
    """The language the customer wrote in: Chinese text gets the ticket's Chinese script (Simplified
    unless the ticket is Traditional); other text the ticket's locale, English if that is Chinese."""
    locale = supported(ticket_locale)
    if is_chinese(text):
        return locale if locale.startswith("zh") else "zh-Hans"
    return "en" if locale.startswith("zh") else locale


class AutomaticAnswers:
    def __init__(self, knowledge: KnowledgeBase, tickets: AnsweredTickets, views: CustomerViews,
                 conversations: ConversationWriter, clock: Clock, *, threshold: float = THRESHOLD,
                 margin: float = MARGIN) -> None:
        self._knowledge, self._tickets, self._views = knowledge, tickets, views
        self._conversations, self._clock = conversations, clock
        self._threshold, self._margin = threshold, margin

    def decide(self, tenant_id: str, ticket: Ticket, text: str) -> Decision:
        """What the bot would do with `text` on `ticket` (reads only: the knowledge base, the view)."""
        locale = reply_locale(text, ticket.locale)
        if ticket.is_terminal:
            return Decision(answered=False, intent=None, confidence=0.0, reason="closed", locale=locale)
        knowledge = self._knowledge.knowledge(tenant_id)
        match = knowledge.matcher.match(text)
        suggested = self._reply(tenant_id, ticket, knowledge, match, locale)
        reason = self._refusal(match, suggested, knowledge)
        return Decision(answered=reason is None, intent=match.intent, confidence=match.confidence,
                        reason=reason or "answered", locale=locale, suggested=suggested,
                        data={"runner_up": match.runner_up})

    def _reply(self, tenant_id: str, ticket: Ticket, knowledge: Knowledge, match: Match, locale: str
               ) -> Reply | None:
        if match.intent is None:
            return None
        if match.intent.startswith(KB_PREFIX):
            entry = knowledge.entries.get(match.intent.removeprefix(KB_PREFIX))
            text = entry.answers.get(locale) if entry else None
            return Reply(message_id=match.intent, body=text, locale=locale) if text else None
        return computed.answer(match.intent, self._views.view_of(tenant_id, ticket), locale)

    def _refusal(self, match: Match, suggested: Reply | None, knowledge: Knowledge) -> str | None:
        if match.cue is not None:
            return match.cue
        if match.intent is None or match.confidence < self._threshold:
            return "low_confidence"
        if match.confidence - match.runner_up < self._margin:
            return "ambiguous"
        if suggested is None:
            kb = match.intent.startswith(KB_PREFIX) and match.intent.removeprefix(KB_PREFIX) in knowledge.entries
            return "no_answer_in_locale" if kb else "not_supported"
        return None

    def consider(self, tenant_id: str, ticket_id: str, text: str) -> BotGuess | None:
        """What the bot makes of a customer's message on the ticket (None on a closed ticket)."""
        ticket = self._tickets.get(tenant_id, ticket_id, BOT)
        if ticket.is_terminal:
            return None
        return guess_of(self.decide(tenant_id, ticket, text))

    def respond(self, tenant_id: str, message: ConversationItem, guess: BotGuess) -> None:
        """After the customer's `message` (carrying `guess`) is on the conversation: the automatic
        answer, or the hand-off entry on the audit chain (the agent reads the guess on the message)."""
        if guess.answered and guess.suggested_answer:
            now = self._clock.now()
            body = f"{guess.suggested_answer}\n{translate('answers.automatic_note', guess.locale)}"
            item = ConversationItem(message_id=new_id("msg", now), ticket_id=message.ticket_id, at=iso(now),
                                    channel=message.channel, direction="outbound", author=AUTHOR, body=body,
                                    data={**guess.data(), "automatic": True, "in_reply_to": message.message_id})
            self._conversations.add(tenant_id, item)
            self._tickets.note(tenant_id, message.ticket_id, AUTO_ANSWERED, BOT, reason=guess.intent, data={
                "message_id": item.message_id, "in_reply_to": message.message_id, "channel": message.channel,
                "intent": guess.intent, "confidence": guess.confidence})
        else:
            self._tickets.note(tenant_id, message.ticket_id, HANDED_OFF, BOT, reason=guess.reason, data={
                "message_id": message.message_id, "intent": guess.intent, "confidence": guess.confidence})
        logger.info("bot turn", extra={"answered": guess.answered, "intent": guess.intent,
                                       "confidence": guess.confidence, "reason": guess.reason,
                                       "channel": message.channel})


def guess_of(decision: Decision) -> BotGuess:
    suggested = decision.suggested
    return BotGuess(answered=decision.answered, intent=decision.intent, confidence=decision.confidence,
                    reason=decision.reason, locale=decision.locale, model_version=MODEL_VERSION,
                    suggested_answer=suggested.body if suggested else None,
                    answer_id=suggested.message_id if suggested else None)
