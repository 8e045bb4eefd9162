"""How each kind of step is carried out in a conversation (capture's, with its read-back, in capture.py).

Each returns the id of the step to jump to, an Ending when the person said stop or distress was heard, or
None to go on as the step's own `goto` (else the next step).
"""

from assistant.controls import Control
from assistant.practices.answers import choose_option, is_nothing, parse_rating
from assistant.practices.conversation import Conversation, Ending, StepOutcome
from assistant.practices.steps import Chime, Choose, Listen, Pause, Rate, Say
from assistant.speech.textprep import cardinal
from assistant.speech.transcript import Purpose

QUIET_ANNOUNCE_S = 10.0  # silences longer than this are announced
DEFAULT_REASK = "Take your time. Anything small is fine, or you can say nothing."
RATE_REASK = "If you like, any number from zero to ten. Or you can say skip."
RATE_UNCLEAR = "I didn't quite catch a number. Any number from zero to ten is fine, or you can say skip."
AFTER_SILENCE = "That's okay. We can go on."
AFTER_NOTHING = "That's okay. Thank you."


def say(talk: Conversation, step: Say) -> None:
    text = talk.render(step.text)
    if text is not None:
        talk.speak(text)


def pause(talk: Conversation, step: Pause) -> Ending | None:
    seconds = talk.dialog.tempo.stretch(step.seconds)
    if seconds > QUIET_ANNOUNCE_S:
        talk.speak(talk.render(step.announce) or f"I'll be quiet for about {_seconds_words(seconds)}.",
                   remember=False)
    for _ in range(3):  # a "repeat" during the silence says the prompt again and gives the silence again
        heard = talk.dialog.pause(seconds)
        if heard.went_on:
            return talk.went_on(heard)
        control = talk.interrupt(heard.text) if heard.text else None
        if control is not Control.REPEAT:
            return control if isinstance(control, Ending) else None
    return None


def listen(talk: Conversation, step: Listen) -> StepOutcome:
    if step.keep in talk.handed_in:
        talk.handed_in.discard(step.keep)
        return None  # already said, handed in by the assistant; asked again if the practice loops back
    question = talk.render(step.text)
    if question is None:
        return None
    purpose: Purpose | None = "journal" if step.keep in talk.kept else None
    answer = talk.ask(question, step.timeout, purpose)
    if not isinstance(answer, Ending) and answer.silent:
        answer = talk.ask(talk.render(step.reask) or DEFAULT_REASK, step.timeout, purpose)
    if isinstance(answer, Ending):
        return answer
    talk.values[step.keep] = None
    if answer.silent:
        target = step.on_silence or step.on_nothing
        if target is None:
            talk.speak(AFTER_SILENCE, remember=False)
        return target
    if answer.control is not None or is_nothing(answer.text):
        target = step.on_nothing or step.on_silence
        if target is None:
            talk.speak(AFTER_NOTHING, remember=False)
        return target
    talk.values[step.keep], talk.heard[step.keep] = answer.text, answer.heard
    return None


def rate(talk: Conversation, step: Rate) -> Ending | None:
    question = talk.render(step.text)
    if question is None:
        return None
    answer = talk.ask(question, step.timeout)
    if isinstance(answer, Ending):
        return answer
    if answer.silent:
        answer = talk.ask(talk.render(step.reask) or RATE_REASK, step.timeout)
    elif answer.control is None and parse_rating(answer.text) is None and not is_nothing(answer.text):
        answer = talk.ask(RATE_UNCLEAR, step.timeout)
    if isinstance(answer, Ending):
        return answer
    value = None if answer.control is not None else parse_rating(answer.text)
    talk.result.ratings[step.keep] = value
    talk.values[step.keep] = None if value is None else str(value)
    talk.emit({"event": "rating", "name": step.keep, "value": value})
    return None


def choose(talk: Conversation, step: Choose) -> StepOutcome:
    options = [o for o in step.options if not o.when or talk.values.get(o.when)]
    question = talk.render(step.text)
    if len(options) < 2 or question is None:
        return options[0].goto if options else step.default
    labels = [o.label for o in options]
    spoken = _either(labels)
    yes_no = sorted(label.lower() for label in labels) == ["no", "yes"]
    answer = talk.ask(question if yes_no else f"You could choose {spoken}. {question}", step.timeout)
    for attempt in range(2):
        if isinstance(answer, Ending):
            return answer
        if answer.control is Control.SKIP:
            break
        if not answer.silent:
            picked = choose_option(answer.text, labels, [o.match for o in options])
            if picked is not None:
                if step.keep:
                    talk.values[step.keep] = labels[picked]
                return options[picked].goto
            if is_nothing(answer.text):
                break
        if attempt == 1:
            break
        unclear = "" if answer.silent else "Sorry, I didn't quite catch that. "
        answer = talk.ask(f"{unclear}You can say {spoken}, or skip.", step.timeout)
    return step.default


def chime(talk: Conversation, step: Chime) -> None:
    talk.dialog.chime(step.name)


def _either(labels: list[str]) -> str:
    """"a, b, or c" / "a or b"."""
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])}{',' if len(labels) > 2 else ''} or {labels[-1]}"


def _seconds_words(seconds: float) -> str:
    """About how long, in words: 14.6 → "fifteen seconds"; up to a minute and a half."""
    rounded = min(max(int(5 * round(seconds / 5)), 10), 90)
    if rounded > 60:
        return "a minute or so"
    return "a minute" if rounded == 60 else f"{cardinal(rounded)} seconds"
