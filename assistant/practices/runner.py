"""Runs one practice through a Dialog (speech out, listening in) and a journal; never imports an engine.

Each step is carried out by its kind's runner (kinds.py), in a Conversation (conversation.py), where every
heard utterance is checked in one place (Conversation.hear). A spoken "stop" or distress comes back from the
step's runner as an Ending, and the loop ends on it. Events: the runner emits `rating` and
`support`; `say` and `heard` are the Dialog's to emit, `journal` the JournalSink's (they see the words as
they are really spoken and saved).
"""

from collections.abc import Callable

from assistant.config import SafetySettings
from assistant.practices.conversation import Conversation, Ending, PracticeResult
from assistant.practices.kinds import kind_of
from assistant.practices.ports import Dialog, JournalSink
from assistant.practices.steps import END, Practice
from assistant.safety import offer_support

MAX_STEPS = 500  # a guard against a practice whose jumps loop for ever


def run_practice(practice: Practice, dialog: Dialog, journal: JournalSink, emit: Callable[[dict], None],
                 context: dict | None = None, safety: SafetySettings | None = None) -> PracticeResult:
    """Run `practice` to its end, a spoken "stop", or a distress response.

    `context` may hand in values by name: "replay" (words of a past glimmer), or the answer to a listen
    step already spoken (e.g. {"glimmer": "the heron"} right after the wake phrase), which is then not asked;
    handed in as a Heard, its confidence and audio go to the journal with it.
    """
    talk = Conversation(practice, dialog, journal, emit, dict(context or {}))
    steps, index, executed = practice.steps, 0, 0
    asked: tuple[int, int] | None = None  # the step whose answer ended early, and the entries kept before it
    while index < len(steps) and executed < MAX_STEPS:
        step, executed = steps[index], executed + 1
        kept_before = len(talk.result.entries)
        skipped = step.when and not talk.values.get(step.when)
        target = None if skipped else (kind_of(step).run(talk, step) or step.goto)
        if talk.ended_early:
            talk.ended_early, asked = False, (index, kept_before)
        if target is Ending.WENT_ON:   # heard by the step that asked (or, failing that, the next to ask)
            index = _go_back(talk, *asked) if asked is not None else index + 1
            continue
        if isinstance(target, Ending):
            _end_early(talk, target, safety)
            break
        if target == END:
            break
        index = practice.index(target) if target else index + 1
    talk.result.values = dict(talk.values)
    return talk.result


def _go_back(talk: Conversation, index: int, kept_before: int) -> int:
    """Back to step `index`, whose answer went on: what was kept since it asked is unkept (the step keeps the
    whole answer again)."""
    for entry in talk.result.entries[kept_before:]:
        talk.journal.delete(entry)
    del talk.result.entries[kept_before:]
    return index


def _end_early(talk: Conversation, ending: Ending, safety: SafetySettings | None) -> None:
    """Close a practice cut short: a gentle goodbye after "stop", the support response after distress."""
    talk.result.status = ending.value
    if ending is Ending.SUPPORT:
        offer_support(talk.dialog, safety or SafetySettings(), talk.emit)
        return
    talk.dialog.say("Okay, we'll stop here.")
    if talk.result.entries:
        talk.dialog.say("What you shared is kept in your journal.")
    talk.dialog.chime("done")
