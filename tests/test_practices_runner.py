"""The runner's logic, with a scripted Dialog that returns typed answers instead of audio.

These test the flow (branches, timeouts, controls, distress, what reaches the journal) with the real
Journal; tests/test_practices_spoken.py runs the same practices through the real spoken Dialog.
"""

from dataclasses import dataclass, field

import numpy as np
import pytest

from assistant.audio.wav import read_wav
from assistant.config import PracticesSettings, SafetySettings
from assistant.journal.store import Journal
from assistant.practices.library import PracticeLibrary
from assistant.practices.ports import Heard
from assistant.practices.runner import run_practice
from assistant.practices.schema import parse_practice
from assistant.speech.pacing import Tempo
from assistant.speech.transcript import Purpose


@dataclass(frozen=True)
class During:
    """Words spoken during a pause (returned by pause() rather than listen())."""

    text: str


@dataclass
class ScriptedDialog:
    """A Dialog for runner-logic tests: each listen() takes the next scripted answer ("" = silence)."""

    script: list
    said: list[str] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)
    chimes: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    audio: dict[str, np.ndarray] = field(default_factory=dict)   # the samples each answer is heard in
    purposes: list[Purpose | None] = field(default_factory=list)  # what each listen() was for
    tempo: Tempo = Tempo()

    def say(self, text: str) -> None:
        self.said.append(text)
        self.log.append(f"say: {text}")

    def pause(self, seconds: float) -> Heard:
        self.pauses.append(seconds)
        self.log.append(f"pause {seconds:g}")
        if self.script and isinstance(self.script[0], During):
            return Heard(self.script.pop(0).text)
        if self.script and isinstance(self.script[0], Heard) and self.script[0].went_on:
            return self.script.pop(0)
        return Heard()

    def listen(self, kind: str, timeout_s: float, purpose: Purpose | None = None) -> Heard:
        if self.script and isinstance(self.script[0], Heard):   # heard with how it ended
            heard = self.script.pop(0)
            self.log.append(f"listen {kind} {timeout_s:g}: {heard.text!r}")
            self.purposes.append(purpose)
            return heard
        text = self.script.pop(0) if self.script and isinstance(self.script[0], str) else ""
        self.log.append(f"listen {kind} {timeout_s:g}: {text!r}")
        self.purposes.append(purpose)
        return Heard(text, 0.9 if text else 0.0, self.audio.get(text))

    def chime(self, name: str) -> None:
        self.chimes.append(name)

    def slower(self) -> None:
        self.tempo = self.tempo.slower()
        self.log.append("slower")

    def spoke(self, fragment: str) -> bool:
        return any(fragment in s for s in self.said)


@pytest.fixture(scope="module")
def library():
    return PracticeLibrary.load(PracticesSettings(folder="/nonexistent"))


@pytest.fixture
def journal(tmp_path):
    with Journal.open(tmp_path / "journal.db") as j:
        yield j


def run(library, journal, name, script, context=None):
    dialog, events = ScriptedDialog(list(script)), []
    result = run_practice(library.get(name), dialog, journal, events.append, context)
    assert not dialog.script, f"unused answers: {dialog.script}"
    return result, dialog, events


def texts(journal):
    return [(e.text, e.practice, e.senses) for e in journal.list(oldest_first=True)]


def test_capture_keeps_the_words_verbatim(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["um, the light on the kitchen table, I guess"])
    assert result.status == "finished"
    assert texts(journal) == [("um, the light on the kitchen table, I guess", "capture", ())]
    assert dialog.spoke("I've kept your words: um, the light on the kitchen table, I guess.")
    assert 8.0 in dialog.pauses and dialog.chimes == ["saved", "done"]


def test_an_answer_that_went_on_after_ending_early_is_kept_whole_once(library, journal):
    first, whole = "My grandma called me.", "My grandma called me. She just wanted to hear my voice."
    result, dialog, _ = run(library, journal, "capture",
                            [Heard(first, 0.9, ended_early=True), Heard(whole, 0.9, went_on=True), ""])
    assert result.status == "finished"
    assert texts(journal) == [(whole, "capture", ())]   # the first part was unkept when the answer went on
    assert result.entries == [journal.list()[0].id]
    assert sum("what's one small moment" in s for s in dialog.said) == 1   # not asked again
    assert dialog.spoke(f"I've kept your words: {whole[:-1]}.")


def test_an_answer_that_went_on_during_a_pause_goes_back_to_its_question(library, journal):
    first, whole = "The dog on my feet.", "The dog on my feet. And the heater ticking."
    # heard: the answer, silence after its read-back, then (by the pause after it) the answer went on
    script = [Heard(first, 0.9, ended_early=True), "", Heard(whole, 0.9, went_on=True), ""]
    result, dialog, _ = run(library, journal, "capture", script)
    assert result.status == "finished" and texts(journal) == [(whole, "capture", ())]
    assert dialog.chimes == ["saved", "saved", "done"] and dialog.pauses == [8.0, 8.0]


def test_nothing_today_is_thanked_and_nothing_is_saved(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["Nothing today.", "no thanks"])
    assert result.status == "finished" and texts(journal) == []
    assert dialog.spoke("Nothing today is a complete answer") and dialog.spoke("Thank you for taking this minute")


def test_silence_reasks_once_differently_then_follows_the_timeout_path(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["", "", "yes", "", "the plain white wall"])
    question = "If you like, what's one small moment like that?"
    assert dialog.said.count(question) == 1 and dialog.spoke("There's no hurry")
    assert dialog.spoke("Nothing today is a complete answer")  # on_silence falls back to on_nothing
    assert texts(journal) == [("the plain white wall", "capture", ("sight",))]
    listens = [line for line in dialog.log if line.startswith("listen")]
    assert listens[0] == "listen answer 10: ''" and len(listens) == 6  # the last: after the read-back


def test_context_hands_in_an_answer_already_spoken(library, journal):
    result, dialog, _ = run(library, journal, "capture", [], context={"glimmer": "the heron by the canal"})
    assert texts(journal) == [("the heron by the canal", "capture", ())]
    assert not dialog.spoke("what's one small moment")


def test_stop_mid_practice_ends_gently_and_keeps_what_was_captured(library, journal):
    result, dialog, _ = run(library, journal, "savor", ["one from today", "the smell of rain on the path",
                                                       "Stop, please."])
    assert result.status == "stopped" and result.entries
    assert texts(journal) == [("the smell of rain on the path", "savor", ())]
    assert dialog.said[-2:] == ["Okay, we'll stop here.", "What you shared is kept in your journal."]
    assert dialog.chimes[-1] == "done"


def test_stop_during_a_pause(library, journal):
    result, dialog, _ = run(library, journal, "ground", [During("stop")])
    assert result.status == "stopped" and dialog.pauses == [10.0] and texts(journal) == []


def test_savor_from_the_journal_does_not_save_it_again(library, journal):
    result, dialog, _ = run(library, journal, "savor", ["the old one from my journal", "yes"],
                            context={"replay": "tea with Sam on the steps"})
    assert dialog.spoke("Here is one from your journal, in your words: tea with Sam on the steps.")
    assert texts(journal) == [] and 25.0 in dialog.pauses
    assert dialog.spoke("I'll be quiet for about fifteen seconds while it settles.")
    assert not dialog.spoke("Your words,")  # that line needs a glimmer said today


def test_pause_markers_in_a_persons_words_are_not_obeyed(library, journal):
    # A journal entry typed as "[pause 100000]" is words to read back, never 28 hours of silence.
    _, dialog, _ = run(library, journal, "savor", ["the old one from my journal", "yes"],
                       context={"replay": "tea [pause 100000] with Sam"})
    assert dialog.spoke("tea with Sam") and not any("[pause" in s for s in dialog.said)


def test_savor_without_a_replay_offers_two_options(library, journal):
    result, dialog, _ = run(library, journal, "savor", ["", "", "", "", "", ""])
    assert dialog.spoke("You could choose one from today or something neutral. Which would you like?")
    assert dialog.spoke("the floor holding you up") and result.status == "finished" and texts(journal) == []


def test_body_ratings_before_and_after_go_with_the_entry(library, journal):
    script = ["About a six.", "my hands", "skip", "a seven maybe", "my shoulders dropped a little"]
    result, dialog, events = run(library, journal, "body", script)
    assert result.ratings == {"calm_before": 6, "calm_after": 7}
    assert [e for e in events if e["event"] == "rating"] == [
        {"event": "rating", "name": "calm_before", "value": 6}, {"event": "rating", "name": "calm_after", "value": 7}]
    entry = journal.list()[0]
    assert (entry.text, entry.senses, entry.calm_before, entry.calm_after) == (
        "my shoulders dropped a little", ("body",), 6, 7)
    assert dialog.spoke("You said 6 at the start, and 7 now.")
    before = next(s for s in dialog.said if s.startswith("How calm"))
    assert dialog.said.count(before) == 2  # the same words before and after


def test_only_words_for_the_journal_are_listened_for_as_journal_answers(library, journal):
    script = ["About a six.", "my hands", "skip", "a seven maybe", "my shoulders dropped a little", "Change it.",
              "my shoulders dropped"]
    _, dialog, _ = run(library, journal, "body", script)
    # ratings, choices and the reply to the read-back are not; the answer kept and its new wording are
    assert dialog.purposes == [None, None, None, None, "journal", None, "journal"]
    assert [e.text for e in journal.list()] == ["my shoulders dropped"]


def test_rating_i_dont_know_and_unclear(library, journal):
    script = ["I don't know", "hands", "", "", "purple", "five"]
    result, dialog, _ = run(library, journal, "body", script)
    assert result.ratings == {"calm_before": None, "calm_after": 5}
    assert dialog.spoke("I didn't quite catch a number") and not dialog.spoke("You said")


def test_repeat_slower_pause_continue_skip(library, journal):
    script = ["Can you repeat that?", "slower", "hold on", "", "okay, I'm back", "skip", "no"]
    result, dialog, _ = run(library, journal, "capture", script)
    question = "If you like, what's one small moment like that?"
    assert dialog.said.count(question) == 4  # asked, repeated, after slowing, after the hold
    assert dialog.spoke("I'll go more slowly") and dialog.spoke("Say continue when you're ready")
    assert dialog.spoke("Nothing today is a complete answer")  # skip is a complete answer
    assert result.status == "finished" and texts(journal) == []
    assert "listen answer 12.5: 'skip'" in dialog.log  # a quarter more time to answer once slower
    assert "slower" in dialog.log  # and the voice itself slows down


def test_distress_ends_at_once_with_support_and_nothing_saved(library, journal):
    result, dialog, events = run(library, journal, "body", ["I don't want to be here anymore, I want to die",
                                                            "repeat"])
    assert result.status == "support" and texts(journal) == [] and result.ratings == {}
    assert {"event": "support"} in events and not any(e["event"] == "rating" for e in events)
    assert dialog.spoke("not a counsellor") and dialog.said.count(dialog.said[-1]) == 2  # numbers repeated
    assert not dialog.spoke("Thank you. First, something steadying")


def test_distress_heard_during_a_pause_or_a_hold(library, journal):
    result, dialog, events = run(library, journal, "ground", [During("I can't go on like this")])
    assert result.status == "support" and {"event": "support"} in events
    result, dialog, events = run(library, journal, "capture", ["wait", "I'm not safe"])
    assert result.status == "support"


def test_while_on_hold_pause_keeps_waiting_and_stop_ends(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["hold on", "", "wait", "stop"])
    assert result.status == "stopped" and dialog.said.count("Okay.") == 0
    assert [line for line in dialog.log if line.startswith("listen command")] == [
        "listen command 30: ''", "listen command 30: 'wait'", "listen command 30: 'stop'"]


@pytest.mark.parametrize("name", ["savor", "body"])  # savor opens with a choice, body with a rating
def test_stop_at_a_choice_or_a_rating_ends_there(library, journal, name):
    result, dialog, events = run(library, journal, name, ["stop"])
    assert result.status == "stopped" and not result.ratings and texts(journal) == []
    assert dialog.said[-1] == "Okay, we'll stop here." and dialog.chimes[-1] == "done"
    assert len([line for line in dialog.log if line.startswith("listen")]) == 1
    assert not any(e["event"] == "rating" for e in events)


def test_a_hold_left_quiet_ends_gently(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["hold on"])
    assert result.status == "stopped" and dialog.said[-1] == "Okay, we'll stop here."
    assert dialog.log.count("listen command 30: ''") == 10  # five minutes of quiet


def test_support_uses_the_configured_crisis_line(library, journal):
    dialog, events = ScriptedDialog(["I want to kill myself"]), []
    run_practice(library.get("capture"), dialog, journal, events.append,
                 safety=SafetySettings(crisis_line="116 123", emergency_number="112"))
    assert dialog.spoke("1 1 6 1 2 3") and dialog.spoke("call 1 1 2")


@pytest.mark.parametrize("name", ["capture", "savor", "ground", "checkin", "body", "integration"])
def test_every_builtin_finishes_in_silence_without_saving(library, journal, name):
    result, dialog, events = run(library, journal, name, [])
    assert result.status == "finished" and texts(journal) == []
    assert dialog.chimes[-1] == "done"
    long = [p for p in dialog.pauses if p > 10]
    assert len([s for s in dialog.said if "quiet for about" in s]) >= len(long)


@pytest.mark.parametrize("name, script, entry", [
    ("checkin", ["a sound", "the fridge humming"], ("the fridge humming", "checkin", ("sound",))),
    ("checkin", ["nothing", "still nothing"], None),
    ("checkin", ["nothing", "the chair is solid"], ("the chair is solid", "checkin", ("touch",))),
    ("ground", ["the green mug"], ("the green mug", "ground", ())),
    ("integration", ["note something to remember", "I cried and then it felt lighter"],
     ("I cried and then it felt lighter", "integration", ())),
    ("integration", ["notice the body", "heavy legs, easier shoulders"],
     ("heavy legs, easier shoulders", "integration", ("body",))),
    ("integration", ["rest with a glimmer", "relief when I woke up"], ("relief when I woke up", "integration", ())),
])
def test_builtin_branches_keep_the_expected_entries(library, journal, name, script, entry):
    result, dialog, _ = run(library, journal, name, script)
    assert result.status == "finished"
    assert texts(journal) == ([entry] if entry else [])


def test_a_looping_practice_is_bounded(journal):
    # A loop that listens (a pause, where "stop" is heard) but never hears anything still ends.
    practice = parse_practice("name: loop\ntitle: L\ndescription: d\nminutes: 1\nsteps:\n"
                              "  - id: a\n    say: again\n  - pause: 1\n    goto: a\n", "loop.yaml")
    dialog = ScriptedDialog([])
    assert run_practice(practice, dialog, journal, lambda e: None).status == "finished"
    assert len(dialog.said) == 250 and len(dialog.pauses) == 250


def test_a_listen_step_reached_again_asks_again(journal):
    practice = parse_practice("name: more\ntitle: M\ndescription: d\nminutes: 1\nsteps:\n"
                              "  - id: ask\n    listen: Anything else?\n    keep: more\n    on_nothing: end\n"
                              "  - say: Thank you for {more}.\n    goto: ask\n", "more.yaml")
    dialog = ScriptedDialog(["the tea", "the cat", "nothing"])
    result = run_practice(practice, dialog, journal, lambda e: None, {"more": "the rain"})
    assert result.status == "finished" and not dialog.script
    assert dialog.said == ["Thank you for the rain.", "Anything else?", "Thank you for the tea.", "Anything else?",
                           "Thank you for the cat.", "Anything else?"]


READ_BACK = "Thank you. I've kept your words: the light on the kitchen table. " \
    "If I got that wrong, you can say change it, or undo."


@pytest.mark.parametrize("wish", ["That's not right.", "Change it.", "Let me say it again.",
                                  "No, that's not right."])
def test_change_it_hears_the_words_again_and_keeps_only_them(library, journal, wish):
    result, dialog, events = run(library, journal, "capture",
                                 ["the light on the kitchen table", wish, "the light on the kitchen wall"])
    assert texts(journal) == [("the light on the kitchen wall", "capture", ())]
    assert READ_BACK in dialog.said and dialog.spoke("say it again, in your own words")
    assert dialog.spoke("I've kept your new words: the light on the kitchen wall.")
    assert dialog.chimes == ["saved", "saved", "done"] and len(result.entries) == 1
    assert dialog.spoke("whenever you'd like to hear it again")  # then on, as after any glimmer


@pytest.mark.parametrize("wish", ["Undo.", "Delete that.", "Don't keep that.", "Oh, undo that, please."])
def test_undo_removes_the_glimmer_and_says_so(library, journal, wish):
    result, dialog, _ = run(library, journal, "capture", ["the light on the kitchen table", wish])
    assert texts(journal) == [] and result.entries == []
    assert dialog.spoke("It's gone from your journal.")
    assert not dialog.spoke("It's in your journal")  # on_undo: goodbye
    assert dialog.said[-1] == "Thank you for taking this minute."


@pytest.mark.parametrize("after", ["", "yes", "I decided to change my route", "undo the knot in my shoes"])
def test_silence_or_anything_else_after_the_read_back_goes_on(library, journal, after):
    glimmer = "I decided to change my route and found a quiet park"
    run(library, journal, "capture", [glimmer, after])
    assert texts(journal) == [(glimmer, "capture", ())]


def test_undo_instead_of_the_new_words_removes_it(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["the light on the table", "change it", "undo"])
    assert texts(journal) == [] and dialog.spoke("It's gone from your journal.")


@pytest.mark.parametrize("again", [["", ""], ["nothing"], ["skip"]])
def test_no_new_words_leaves_the_glimmer_as_it_was(library, journal, again):
    result, dialog, _ = run(library, journal, "capture", ["the light on the table", "change it", *again])
    assert texts(journal) == [("the light on the table", "capture", ())]
    assert dialog.spoke("I've left it as it was.")


def test_distress_in_the_new_words_gets_support_and_is_not_kept(library, journal):
    result, dialog, events = run(library, journal, "capture",
                                 ["the light on the table", "that's not right", "I want to kill myself"])
    assert result.status == "support" and {"event": "support"} in events
    assert texts(journal) == [("the light on the table", "capture", ())]
    assert not dialog.spoke("new words")


def test_stop_after_the_read_back_keeps_the_glimmer(library, journal):
    result, dialog, _ = run(library, journal, "capture", ["the light on the table", "stop"])
    assert result.status == "stopped" and texts(journal) == [("the light on the table", "capture", ())]
    assert dialog.said[-1] == "What you shared is kept in your journal."


def test_one_shot_linger_reads_back_and_undo_ends_it(library, journal):
    result, dialog, _ = run(library, journal, "linger", ["undo"], context={"glimmer": "the warm radiator"})
    assert texts(journal) == [] and dialog.said[-1] == "Okay. I haven't kept it. It's gone from your journal."
    assert dialog.said[0].startswith("Thank you. I've kept your words: the warm radiator.")


def test_correct_off_keeps_without_a_read_back_and_read_back_is_worded_by_the_practice(journal):
    head = "name: p\ntitle: P\ndescription: d\nminutes: 1\nsteps:\n  - listen: What?\n    keep: g\n"
    quiet = parse_practice(head + "  - capture: g\n    correct: no\n", "p.yaml")
    dialog = ScriptedDialog(["the moon", "undo"])
    run_practice(quiet, dialog, journal, lambda e: None)
    assert dialog.said == ["What?"] and dialog.script == ["undo"] and texts(journal) == [("the moon", "p", ())]
    worded = parse_practice(head + "  - capture: g\n    read_back: \"Kept: {g}.\"\n", "p.yaml")
    dialog = ScriptedDialog(["the sun", "undo"])
    run_practice(worded, dialog, journal, lambda e: None)
    assert dialog.said[1] == "Kept: the sun. If I got that wrong, you can say change it, or undo."
    assert texts(journal) == [("the moon", "p", ())]


def test_a_kept_glimmer_keeps_the_audio_and_confidence_it_was_heard_in(tmp_path):
    said = {words: np.full(16000, 100 * (n + 1), dtype=np.int16)
            for n, words in enumerate(["the moon", "seven", "the full moon", "the sun", "the warm radiator"])}
    practice = parse_practice("name: p\ntitle: P\ndescription: d\nminutes: 1\nsteps:\n"
                              "  - listen: What?\n    keep: g\n  - rate: How calm, from zero to ten?\n    keep: calm\n"
                              "  - capture: g\n    calm_after: calm\n", "p.yaml")
    with Journal.open(tmp_path / "journal.db", keep_audio=True) as journal:
        run_practice(practice, ScriptedDialog(["the moon", "seven", "change it", "the full moon"], audio=said),
                     journal, lambda e: None)
        handed = Heard("the warm radiator", 0.7, said["the warm radiator"])
        run_practice(parse_practice("name: q\ntitle: Q\ndescription: d\nminutes: 1\nsteps:\n"
                                    "  - listen: What?\n    keep: g\n  - capture: g\n    correct: no\n"
                                    "  - listen: And?\n    keep: h\n  - capture: h\n    correct: no\n", "q.yaml"),
                     ScriptedDialog([]), journal, lambda e: None, {"g": handed, "h": "the sun"})
        entries = journal.list(oldest_first=True)
    assert [(e.text, e.calm_after, e.confidence) for e in entries] == [
        ("the full moon", 7, 0.9), ("the warm radiator", None, 0.7), ("the sun", None, None)]
    assert np.array_equal(read_wav(entries[0].audio_path), said["the full moon"])   # not the rating's
    assert np.array_equal(read_wav(entries[1].audio_path), said["the warm radiator"])
    assert entries[2].audio_path is None   # words handed in without their audio
