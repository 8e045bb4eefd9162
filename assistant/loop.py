"""The assistant: idle (listening for the wake phrase) -> a session -> idle, supervised.

The loop survives any one session's error (logged, a gentle spoken notice, back to idle) and a lost
microphone (a spoken notice, then reopening with back-off). Everything the person said is already in the
journal by then: entries are committed the moment they are captured.
"""

import itertools
import logging
import time
from collections.abc import Callable
from contextlib import suppress

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from assistant.audio.sinks import AudioSink
from assistant.audio.sources import AudioSource, DeviceLost
from assistant.config import Settings
from assistant.dialog import SpokenDialog
from assistant.duplex import HalfDuplex
from assistant.errors import GlimmerError
from assistant.events import Emit, json_lines
from assistant.journal.store import Journal, NotSaved
from assistant.practices.library import PracticeLibrary
from assistant.session import Session
from assistant.speech.barge_in import make_barge_in
from assistant.speech.endpoint import Listener
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import Narrator, make_voice
from assistant.speech.turn_judge import make_turn_judge
from assistant.speech.vad import Vad
from assistant.speech.wake import WakeDetector
from assistant.speech.wake_profile import find as find_profile

log = logging.getLogger(__name__)

HEARTBEAT_S = 600.0         # how often a live assistant notes in the log that it is listening
BACKOFF_S = (1, 2, 5, 10, 30)
SORRY = "Something went wrong on my side. I'm here whenever you'd like."
SORRY_KEPT = "Something went wrong on my side. What you shared is kept in your journal. I'm here whenever you'd like."


class Assistant:
    """Owns the engines for the whole run (one VAD, shared by the wake detector and the endpointer, so the
    noise floor learned while idle carries into each session); each wake starts a fresh Session."""

    def __init__(self, settings: Settings, source: AudioSource, sink: AudioSink,
                 reopen: Callable[[], AudioSource], emit: Emit) -> None:
        self.settings = settings
        self.reopen = reopen
        self.emit = emit
        self.library = PracticeLibrary.load(settings.practices)   # validated before anything is said
        for issue in self.library.problems:
            log.warning("practice not loaded: %s", issue)
        self.journal = Journal.open(settings.journal.path, keep_audio=settings.journal.keep_audio)
        self.narrator = Narrator(make_voice(settings.tts), sink, settings.tts, settings.night)
        self.transcriber = make_transcriber(settings.stt)
        self.vad = Vad(settings.listen.vad_aggressiveness)
        self.wake = WakeDetector(settings.wake, profile=find_profile(settings.journal.path), vad=self.vad)
        barge_in, mode = make_barge_in(sink, source, self.transcriber, settings.listen.barge_in,
                                       settings.listen.vad_aggressiveness)
        (log.info if barge_in or source.simulated else log.warning)(mode)
        self.duplex = HalfDuplex(source, sink, self.wake, barge_in)
        self.judge, line = make_turn_judge(settings.listen, self.transcriber,
                                           punctuated=self.transcriber.choice.engine == "whisper",
                                           hears_on=source.simulated or barge_in is not None)
        log.info(line)

    def run(self) -> int:
        """Serve until a simulated source runs out of turns (live: until interrupted)."""
        log.info("ready: listening for the wake phrase")
        try:
            while self._wait_for_wake():
                self._serve_one()
        finally:
            self.duplex.sink.close()
            self.journal.close()
            self.duplex.source.close()
        return 0

    def _wait_for_wake(self) -> bool:
        """Listen turn by turn until the wake phrase (True) or the simulated turns are used up (False)."""
        while self.duplex.next_wake_turn():
            if self._hear_wake():
                return True
        return False

    def _hear_wake(self) -> bool:
        """Feed frames until the wake phrase (True), the end of a simulated turn or a lost microphone (False)."""
        heartbeat = round(HEARTBEAT_S * SAMPLE_RATE / FRAME_SAMPLES)
        try:
            for frames, frame in enumerate(self.duplex.wake_turn_frames(), start=1):
                detection = self.wake.feed(frame)
                if detection is not None:
                    self.emit({"event": "wake", "t": round(detection.t, 2), "score": round(detection.score, 3)})
                    return True
                if frames % heartbeat == 0:
                    log.info("listening for the wake phrase")
        except DeviceLost as lost:
            self._reconnect(lost)
        return False

    def _serve_one(self) -> None:
        listener = Listener(self.duplex.source, self.settings.listen, vad=self.vad)
        dialog = SpokenDialog(self.duplex, self.narrator, listener, self.transcriber, self.emit, self.judge)
        session = Session(self.settings, dialog, self.journal, self.library, self.emit)
        self.duplex.session_starts()
        try:
            session.run(self.wake.tail)
        except DeviceLost as lost:
            self._reconnect(lost)
        except NotSaved as err:
            log.error("session ended: %s; its words are %s", err, f"in {err.kept}" if err.kept else "not kept")
            self._say_gently(not_saved_words(err))
        except GlimmerError as err:
            log.error("session ended: %s", err)
            self._say_gently(SORRY_KEPT if session.journal.saved else SORRY)
        except Exception:  # one session's failure must never end the assistant
            log.exception("unexpected error in a session")
            self._say_gently(SORRY_KEPT if session.journal.saved else SORRY)
        # Not in a `finally`: when told to stop (SIGTERM, Ctrl-C) it stops now, not after its last words.
        self.duplex.session_ends()
        self.emit({"event": "idle"})

    def _say_gently(self, text: str) -> None:
        with suppress(Exception):
            self.emit({"event": "say", "text": text})
            self.narrator.say(text)

    def _reconnect(self, lost: DeviceLost) -> None:
        """Tell the person once, then reopen the microphone with back-off until it is back."""
        log.warning("%s; reconnecting", lost)
        self._say_gently("I can't hear the microphone right now. I'll keep trying.")
        with suppress(Exception):
            self.duplex.source.close()
        for attempt in itertools.count():
            time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            try:
                self.duplex.reopened(self.reopen())
            except GlimmerError as err:
                log.warning("microphone still unavailable: %s", err)
                continue
            log.info("microphone is back")
            return


def not_saved_words(err: NotSaved) -> str:
    """What to say, calmly and truly, when a glimmer could not be saved."""
    why = "this device's storage is full" if err.full else "the journal could not be written"
    kept = (f"Your words are safe in a separate file, {err.kept.name}, in the journal's folder."
            if err.kept else "I couldn't keep a copy of your words either, I'm sorry.")
    fix = "Freeing some space will fix this." if err.full else "glimmer doctor can help find out why."
    return f"I'm sorry, I couldn't save that in your journal: {why}. {kept} {fix} I'm here whenever you'd like."


def run_assistant(settings: Settings, source: AudioSource, sink: AudioSink,
                  reopen: Callable[[], AudioSource], emit: Emit | None = None) -> int:
    """Run the assistant; events go to stdout as JSON lines unless `emit` is given."""
    return Assistant(settings, source, sink, reopen, emit or json_lines()).run()
