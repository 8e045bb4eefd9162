"""`glimmer run` end to end: spoken conversations through the simulated microphone, real engines throughout.

The person is the hibari voice at other seeds and speeds than Glimmer's own; every run writes the spoken
side to a WAV and the glimmers to a real SQLite journal.
"""

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.wav import read_wav, write_wav
from assistant.journal.store import Journal
from assistant.practices.correction import INVITE
from scripts.corpus import spoken_turn
from tests.conftest import rms
from tests.support.scoring import word_error_rate

GLIMMER = "The rain on the window sounded soothing tonight."
DISTRESS = "I don't want to be alive anymore."


@pytest.fixture
def conversation(tmp_path, synth, glimmer):
    """conversation([[sentence, …] per turn], seed) -> (events, journal entries, output samples)."""
    def run(turns: list[list[str]], seed: int = 5, extra: tuple[str, ...] = ()):
        paths = []
        for number, sentences in enumerate(turns):
            path = tmp_path / f"turn{number}.wav"
            write_wav(path, spoken_turn(synth, sentences, seed=seed, speed=0.95))
            paths.append(str(path))
        journal, out = tmp_path / "journal.db", tmp_path / "out.wav"
        result = glimmer(*extra, "--journal", str(journal), "run", "--input-turns", *paths, "--output-wav", str(out))
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        with Journal.open(journal) as store:
            entries = store.list()
        return events, entries, read_wav(out)
    return run


def _names(events: list[dict], kind: str) -> list:
    return [e for e in events if e["event"] == kind]


def _assert_spoken(samples: np.ndarray) -> None:
    assert len(samples) > 16000 and rms(samples) > 0.01


def test_capture_conversation_keeps_exactly_the_glimmer(conversation):
    events, entries, spoken = conversation([["Hey glimmer."], ["I have a glimmer."], [GLIMMER]])
    assert _names(events, "wake")
    assert _names(events, "intent")[0]["name"] == "capture"
    assert len(entries) == 1
    assert word_error_rate(GLIMMER, entries[0].text) <= 0.35
    assert [e["id"] for e in _names(events, "journal")] == [entries[0].id]
    assert events[-1]["event"] == "idle"
    _assert_spoken(spoken)


def test_one_shot_glimmer_is_kept_and_a_linger_offered(conversation):
    events, entries, spoken = conversation([["Hey glimmer.", GLIMMER], [], ["No, thank you."]])
    assert _names(events, "intent")[0]["name"] == "glimmer"
    assert len(entries) == 1 and word_error_rate(GLIMMER, entries[0].text) <= 0.35
    assert any("stay with it" in e["text"] for e in _names(events, "say"))
    _assert_spoken(spoken)


def test_a_glimmer_said_again_replaces_the_one_misheard(conversation, tmp_path):
    (tmp_path / "keep.yaml").write_text("journal:\n  keep_audio: true\n")
    again = "The rain on the roof sounded soothing tonight."
    events, entries, _ = conversation([["Hey glimmer."], ["I have a glimmer."], [GLIMMER],
                                       ["No, that's not right."], [again]], extra=("--config", "keep.yaml"))
    said = [e["text"] for e in _names(events, "say")]
    assert any(s.startswith("Thank you. I've kept your words:") and s.endswith(INVITE) for s in said)
    assert len(entries) == 1 and word_error_rate(again, entries[0].text) <= 0.35 and "roof" in entries[0].text
    first, second = _names(events, "journal")
    assert _names(events, "removed") == [{"event": "removed", "id": first["id"]}]
    assert second["id"] == entries[0].id and any(s.startswith("Thank you. I've kept your new words:") for s in said)
    clips = list((tmp_path / "journal-clips").iterdir())
    assert clips == [Path(entries[0].audio_path)]  # the first recording went with the first words
    assert events[-1]["event"] == "idle"


def test_undo_after_a_one_shot_glimmer_keeps_nothing_and_says_so(conversation):
    events, entries, _ = conversation([["Hey glimmer.", GLIMMER], ["Undo."]])
    assert entries == [] and len(_names(events, "journal")) == len(_names(events, "removed")) == 1
    said = [e["text"] for e in _names(events, "say")]
    assert any(s.startswith("Thank you. I've kept your words: The rain") for s in said)
    assert said[-1] == "Okay. I haven't kept it. It's gone from your journal."
    assert not any("stay with it" in s for s in said)


def test_a_one_shot_glimmer_that_mentions_change_is_kept_as_said(conversation):
    said_glimmer = "I decided to change my route and found a quiet park."
    events, entries, _ = conversation([["Hey glimmer.", said_glimmer], [], ["No, thank you."]])
    assert len(entries) == 1 and word_error_rate(said_glimmer, entries[0].text) <= 0.2
    assert not _names(events, "removed")
    assert any("stay with it" in e["text"] for e in _names(events, "say"))


def test_keep_audio_keeps_a_private_clip_of_the_spoken_glimmer(conversation, tmp_path):
    (tmp_path / "keep.yaml").write_text("journal:\n  keep_audio: true\n")
    _, entries, _ = conversation([["Hey glimmer.", GLIMMER], [], ["No."]], extra=("--config", "keep.yaml"))
    clip = Path(entries[0].audio_path)
    assert stat.S_IMODE(clip.stat().st_mode) == 0o600
    assert stat.S_IMODE(clip.parent.stat().st_mode) == 0o700
    heard = read_wav(clip)
    assert 2.0 < len(heard) / 16000 < 8.0 and rms(heard) > 0.01


def test_journal_list_and_play_a_kept_recording(conversation, tmp_path, glimmer):
    (tmp_path / "keep.yaml").write_text("journal:\n  keep_audio: true\n")
    _, entries, _ = conversation([["Hey glimmer.", GLIMMER], [], ["No."]], extra=("--config", "keep.yaml"))
    db = str(tmp_path / "journal.db")
    with Journal.open(db) as store:
        words_only = store.add("The kettle clicking off.")
    listed = glimmer("--journal", db, "journal", "list").stdout.splitlines()
    number = entries[0].id
    assert listed[1].endswith(f"\t(recording: glimmer journal play {number})")
    assert listed[0] == f"{words_only}\t" + listed[0].split("\t")[1] + "\tThe kettle clicking off."
    played = glimmer("--journal", db, "journal", "play", str(number), "--output-wav", "heard.wav")
    assert played.returncode == 0, played.stderr
    assert np.array_equal(read_wav(tmp_path / "heard.wav"), read_wav(entries[0].audio_path))
    for missing, says in ((words_only, f"glimmer {words_only} has no recording"),
                          (999, "there is no glimmer number 999")):
        failed = glimmer("--journal", db, "journal", "play", str(missing), "--output-wav", "none.wav")
        assert failed.returncode != 0 and says in failed.stderr and len(failed.stderr.splitlines()) == 1
        assert not (tmp_path / "none.wav").exists()


def test_never_mind_keeps_nothing(conversation):
    events, entries, spoken = conversation([["Hey glimmer."], ["Never mind."]])
    assert _names(events, "intent")[0]["name"] == "stop"
    assert entries == []
    _assert_spoken(spoken)


def test_distress_is_met_with_support_and_nothing_is_saved(conversation):
    events, entries, spoken = conversation([["Hey glimmer."], ["I have a glimmer."], [DISTRESS]])
    assert _names(events, "support")
    assert entries == []
    said = " ".join(e["text"] for e in _names(events, "say"))
    assert "9 8 8" in said and "saved" not in said.lower()
    _assert_spoken(spoken)


def test_distress_right_after_the_wake_phrase_is_met_with_support(conversation):
    events, entries, _ = conversation([["Hey glimmer."], [DISTRESS]])
    assert _names(events, "support") and entries == []


def test_replay_reads_back_a_kept_glimmer(conversation, tmp_path):
    with Journal.open(tmp_path / "journal.db") as store:
        store.add("The cat purred on my lap while I read.")
    events, entries, _ = conversation([["Hey glimmer."], ["Play me a glimmer."]])
    assert _names(events, "intent")[0]["name"] == "replay"
    assert any("cat purred" in e["text"] for e in _names(events, "say"))
    assert len(entries) == 1


def test_its_own_voice_and_earcons_never_wake_it(tmp_path, conversation, glimmer):
    # First a real session, so the output holds prompts that say "glimmer" and every earcon.
    events, _, spoken = conversation([["Hey glimmer."], ["I have a glimmer."], [GLIMMER]])
    said = " ".join(e["text"] for e in _names(events, "say")).lower()
    assert "glimmer" in said
    # Then that very audio played back into the microphone, as a turn of its own.
    echo = tmp_path / "echo.wav"
    write_wav(echo, spoken)
    result = glimmer("--journal", str(tmp_path / "echo.db"), "run", "--input-turns", str(echo),
                     "--output-wav", str(tmp_path / "echo-out.wav"))
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stdout.splitlines() if '"wake"' in line]


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare (util-linux) is not installed")
def test_the_whole_loop_runs_with_no_network_at_all(tmp_path, synth):
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow a private network namespace (needs root)")
    turns = []
    for number, text in enumerate(["Hey glimmer.", "I have a glimmer.", GLIMMER]):
        path = tmp_path / f"t{number}.wav"
        write_wav(path, spoken_turn(synth, [text], seed=8, speed=1.0))
        turns.append(str(path))
    command = [sys.executable, "-m", "assistant.cli", "--journal", str(tmp_path / "j.db"), "run",
               "--input-turns", *turns, "--output-wav", str(tmp_path / "o.wav")]
    result = subprocess.run(["unshare", "-n", *command], capture_output=True, text=True, timeout=300,
                            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert any('"journal"' in line for line in result.stdout.splitlines())
