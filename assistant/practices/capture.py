"""The capture step: keep the words in the journal, then read them back and offer "change it" or "undo"."""

from assistant.practices import correction
from assistant.practices.answers import is_nothing
from assistant.practices.conversation import Conversation, Ending, StepOutcome
from assistant.practices.correction import Correction, parse_correction
from assistant.practices.steps import DEFAULT_READ_BACK, Capture

CORRECTION_WAIT_S = 10.0  # after the read-back: silence this long and the practice goes on


def capture(talk: Conversation, step: Capture) -> StepOutcome:
    """Keep the words; then, unless `correct` is off, read them back and offer "change it" or "undo"."""
    if not talk.values.get(step.value):
        return None
    entry = _keep(talk, step)
    if not step.correct:
        return None
    read_back = talk.render(step.read_back_text) or talk.render(DEFAULT_READ_BACK.format(name=step.value))
    answer = talk.ask(f"{read_back} {correction.INVITE}", CORRECTION_WAIT_S)
    if isinstance(answer, Ending):
        return answer
    wish: Correction | Ending | None = None if answer.silent or answer.control else parse_correction(answer.text)
    if wish is Correction.CHANGE:
        wish = _say_again(talk, step, entry)
    if isinstance(wish, Ending):
        return wish
    if wish is Correction.UNDO:
        _forget(talk, step, entry)
        talk.speak(correction.REMOVED, remember=False)
        return step.on_undo
    return None


def _keep(talk: Conversation, step: Capture) -> int:
    """Save the value kept as `step.value` to the journal, with a chime once it is durable."""
    ratings, heard = talk.result.ratings, talk.heard.get(step.value)
    entry = talk.journal.add(talk.values[step.value] or "", practice=talk.practice.name, senses=step.senses,
                             calm_before=ratings.get(step.calm_before or ""),
                             calm_after=ratings.get(step.calm_after or ""),
                             confidence=heard.confidence if heard else None,
                             audio=heard.audio if heard else None)
    talk.result.entries.append(entry)
    talk.dialog.chime("saved")
    return entry


def _say_again(talk: Conversation, step: Capture, entry: int) -> Correction | Ending | None:
    """"Change it": hear the words again and keep them in place of `entry`; UNDO if "undo" is said now."""
    answer = talk.ask(correction.SAY_AGAIN, CORRECTION_WAIT_S, "journal")
    if not isinstance(answer, Ending) and (answer.silent or parse_correction(answer.text) is Correction.CHANGE):
        answer = talk.ask(correction.SAY_AGAIN_REASK, CORRECTION_WAIT_S, "journal")
    if isinstance(answer, Ending):
        return answer
    wish = None if answer.silent else parse_correction(answer.text)
    if wish is Correction.UNDO:
        return wish
    if answer.silent or answer.control is not None or wish is not None or is_nothing(answer.text):
        talk.speak(correction.LEFT_AS_IT_WAS, remember=False)
        return None
    talk.values[step.value], talk.heard[step.value] = answer.text, answer.heard
    _keep(talk, step)
    _forget(talk, step, entry, cleared=False)
    talk.speak(talk.render(f"Thank you. I've kept your new words: {{{step.value}}}.") or "Thank you.",
               remember=False)
    return None


def _forget(talk: Conversation, step: Capture, entry: int, cleared: bool = True) -> None:
    """Remove `entry` from the journal for good; with `cleared`, its words are no longer used by later steps."""
    talk.journal.delete(entry)
    talk.result.entries.remove(entry)
    if cleared:
        talk.values[step.value] = None
