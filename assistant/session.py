"""One conversation after the wake phrase: hear what the person wants, do it, return to idle."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from assistant.config import Settings
from assistant.dialog import SpokenDialog
from assistant.events import Emit
from assistant.intents import Intent, parse_intent
from assistant.journal.replay import pick_for_replay
from assistant.journal.store import Journal
from assistant.practices.library import PracticeLibrary
from assistant.practices.ports import Heard
from assistant.practices.runner import run_practice
from assistant.safety import offer_support

log = logging.getLogger(__name__)

# Quiet this long after the wake phrase: the listening chime invites the request. Not 1.0: a request
# begun a second after the phrase would start under the chime (the speaker plays it 0.2-0.6 s later).
ONE_SHOT_WAIT_S = 1.3
REASK = "Sorry, I didn't quite catch that. You could say: I have a glimmer, guide me, or ground me."


@dataclass
class SessionJournal:
    """The journal as a session writes to it: each entry announced as it is saved. The audio is the one the
    words were heard in (a practice's answer, or the request after the wake phrase), kept only with
    journal.keep_audio."""

    journal: Journal
    emit: Emit
    saved: list[int] = field(default_factory=list)   # ids committed in this session

    def add(self, text: str, *, practice: str | None = None, senses: Sequence[str] = (),
            calm_before: int | None = None, calm_after: int | None = None,
            confidence: float | None = None, audio: np.ndarray | None = None) -> int:
        """Save durably, announce it as a `journal` event, and return the id."""
        entry_id = self.journal.add(text, practice=practice, senses=senses, calm_before=calm_before,
                                    calm_after=calm_after, confidence=confidence, audio=audio)
        self.saved.append(entry_id)
        self.emit({"event": "journal", "id": entry_id, "text": text})
        return entry_id

    def delete(self, entry_id: int) -> bool:
        """Remove an entry for good (words, search index, audio) and announce it as a `removed` event."""
        removed = self.journal.delete(entry_id)
        if removed:
            self.saved = [kept for kept in self.saved if kept != entry_id]
            self.emit({"event": "removed", "id": entry_id})
        return removed


class Session:
    """Everything between one wake and the return to idle."""

    def __init__(self, settings: Settings, dialog: SpokenDialog, journal: Journal,
                 library: PracticeLibrary, emit: Emit) -> None:
        self.settings = settings
        self.dialog = dialog
        self.journal = SessionJournal(journal, emit)
        self.store = journal
        self.library = library
        self.emit = emit

    def run(self, after_wake: np.ndarray) -> None:
        """Handle the request that follows the wake phrase (`after_wake`: audio already heard after it)."""
        heard = self.dialog.hear_request(after_wake, ONE_SHOT_WAIT_S, self.settings.listen.answer_timeout_s)
        intent = parse_intent(heard.text)
        if intent.name == "unclear":
            heard = self._ask(REASK)
            intent = parse_intent(heard.text)
        self.emit({"event": "intent", "name": intent.name})
        self._act(intent, heard)

    def _ask(self, question: str) -> Heard:
        self.dialog.say(question)
        return self.dialog.listen("command", self.settings.listen.answer_timeout_s)

    def _act(self, intent: Intent, heard: Heard) -> None:
        name = intent.name
        if name == "support":
            self.support()
        elif name == "unclear":
            self.dialog.say("That's okay. I'm here whenever you'd like.")
        elif name == "stop":
            self.dialog.say("Okay.")
        elif name == "replay":
            self._replay()
        elif name == "glimmer":
            self._keep_one_shot(replace(heard, text=intent.text))
        else:
            self._practice(name, {})

    def support(self) -> None:
        """The distress response: gentle, honest, the crisis line; nothing is saved."""
        offer_support(self.dialog, self.settings.safety, self.emit)

    def _keep_one_shot(self, glimmer: Heard) -> None:
        """A glimmer said with the wake phrase: the linger practice keeps it, reads it back, offers a moment.
        `glimmer`: its words (without a leading "hey glimmer"), in the audio of the whole request."""
        self._practice("linger", {"glimmer": glimmer})

    def _replay(self) -> None:
        entry = pick_for_replay(self.store)
        if entry is None:
            self.dialog.say("There are no glimmers kept yet. Whenever one comes along, "
                            "you can say hey glimmer and tell me.")
            return
        self.dialog.say(f"Here is a glimmer you kept {spoken_when(entry.created)}.")
        self._practice("replay", {"replay": entry.text})

    def _practice(self, name: str, context: dict) -> None:
        result = run_practice(self.library.get(name), self.dialog, self.journal, self.emit, context,
                              safety=self.settings.safety)
        self.dialog.settle()
        log.info("practice %s ended: %s", name, result.status)


def spoken_when(created: datetime, now: datetime | None = None) -> str:
    """When a glimmer was kept, as it is natural to say: "today", "yesterday", "on Monday", "on March 3rd"."""
    now = now or datetime.now(created.tzinfo)
    days = (now.date() - created.date()).days
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {created:%A}"
    day = created.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    year = f", {created.year}" if created.year != now.year else ""
    return f"on {created:%B} {day}{suffix}{year}"
