"""Endpointing: when an utterance starts and ends, with pre-roll, over any AudioSource.

An explicit state machine (`Endpointer`) fed frame by frame, whatever the VAD under it: quiet -> starting
(a voiced frame) -> speaking (a few voiced frames close together) <-> stopping (silence since the last
voiced frame) -> ended (a run of silence as long as the kind of utterance allows, or the maximum length).
Audio from just before the start (pre-roll) is kept so first words survive; the silence after the last word
is trimmed. `Listener` feeds it from any AudioSource.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Protocol

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, frames_of
from assistant.audio.sources import AudioSource
from assistant.config import ListenSettings
from assistant.speech.vad import SPEECH_SCORE_DB, Vad

FRAME_S = FRAME_SAMPLES / SAMPLE_RATE
START_WINDOW = 5        # speech starts when START_VOICED of the last START_WINDOW frames are voiced
START_VOICED = 3
TAIL_S = 0.4            # audio kept after the last voiced frame (weak endings hide in noise)
# After a prompt (the listening chime, 0.4 s) is queued its own sound cannot start an utterance: the chime,
# the speaker's output latency (0.2 s) and its echo in the room.
PROMPT_ECHO_S = 0.8

Kind = Literal["command", "answer"]


@dataclass(frozen=True)
class Endpoints:
    """Where the last utterance was, in seconds of audio heard by that listen() call (pre-roll included)."""

    start_s: float        # first voiced frame
    speech_end_s: float   # end of the last voiced frame
    returned_s: float     # when listen() returned: speech_end_s + the end-of-speech silence
    audio_start_s: float  # where the samples listen() returned begin
    judged_over: bool = False  # ended early by the end-of-turn judge, not by the full silence


@dataclass(frozen=True)
class Prompt:
    """Something to play (e.g. the listening chime) once `after_s` of quiet has been heard, listening on;
    its echo reaches the microphone `echo_delay_s` late, so its sound is heard that much longer."""

    after_s: float
    play: Callable[[], None]
    echo_delay_s: float = 0.0


class EarlyEnd(Protocol):
    """Reads an answer ahead while its silence runs, and may end it before that silence is over when it
    sounds finished (turn_judge.Speculation)."""

    def offer(self, audio: np.ndarray, trailing_silence_s: float) -> None:
        """The answer as listen() would return it now, `trailing_silence_s` after its last word."""

    def over(self) -> bool:
        """Whether the answer offered last is over (may wait for the verdict)."""


class State(Enum):
    """Where the endpointer is in an utterance (the four states of pipecat's VAD analyzer)."""

    QUIET = "quiet"          # no voiced frame among the last START_WINDOW
    STARTING = "starting"    # some, fewer than START_VOICED: maybe a start
    SPEAKING = "speaking"    # an utterance has started and its last frame was voiced
    STOPPING = "stopping"    # silence since the utterance's last voiced frame, not yet long enough to end it


class Due(Enum):
    """What the listener does next."""

    FRAME = "frame"      # feed the next frame
    PROMPT = "prompt"    # play the prompt now, then ask again
    END = "end"          # listening is over: see `audio` and `endpoints`


class Endpointer:
    """One listen() as a state machine fed frame by frame: ask `due()` what is next, `feed()` each frame."""

    def __init__(self, vad: Vad, settings: ListenSettings, silence_s: float, timeout_s: float,
                 given_frames: int = 0, prompt: Prompt | None = None,
                 early: EarlyEnd | None = None) -> None:
        self.vad = vad
        self.state = State.QUIET
        self.audio: np.ndarray | None = None       # the utterance, once it has ended
        self.endpoints: Endpoints | None = None
        self._preroll_frames = int(settings.preroll_s / FRAME_S)
        self._keep = self._preroll_frames + given_frames   # frames kept before the start
        self._end_frames = max(1, round(silence_s / FRAME_S))
        self._max_frames = int(settings.max_utterance_s / FRAME_S)
        self._wait_frames = int(timeout_s / FRAME_S)
        self._prompt_at = None if prompt is None else round(prompt.after_s / FRAME_S)
        self._prompt_frames = round((PROMPT_ECHO_S + (prompt.echo_delay_s if prompt else 0.0)) / FRAME_S)
        self._deaf_until = 0     # frames of the prompt's own sound: heard and kept, but they start nothing
        self._heard = 0
        self._ended = False
        self._ring: deque[np.ndarray] = deque(maxlen=self._keep + START_WINDOW)
        self._recent: deque[bool] = deque(maxlen=START_WINDOW)
        self._raw: deque[bool] = deque(maxlen=START_WINDOW)   # voiced, the prompt's sound included
        self._utterance: list[np.ndarray] = []
        self._start_index = 0
        self._last_voiced = 0
        self._voiced_bands: list[np.ndarray] = []
        self._early = early
        checks = settings.turn_check_s < silence_s    # else the full silence comes first anyway
        self._check_frames = round(settings.turn_check_s / FRAME_S) if checks else None
        self._offer_frames = min(int(TAIL_S / FRAME_S), self._check_frames or self._end_frames)
        self._over_at: int | None = None   # judged over: ends here unless the person speaks again first

    def due(self) -> Due:
        """Before each frame: has listening ended (speech that ended, or the timeout), is the prompt due?"""
        if self._ended:
            return Due.END
        if self.state in (State.SPEAKING, State.STOPPING):
            return Due.FRAME
        quiet = self.state is State.QUIET
        if self._heard >= self._wait_frames and (quiet or self._heard >= self._wait_frames + START_WINDOW):
            self._ended = True
            return Due.END
        if self._prompt_at is not None and self._heard >= self._prompt_at and quiet:
            self._prompt_played()
            return Due.PROMPT
        return Due.FRAME

    def feed(self, frame: np.ndarray) -> None:
        """One frame heard (FRAME_SAMPLES int16)."""
        self._heard += 1
        if self.state in (State.QUIET, State.STARTING):
            self._watch(frame)
        else:
            self._collect(frame)

    def _prompt_played(self) -> None:
        """All heard since the prompt is kept; its sound cannot start an utterance."""
        self._prompt_at = None
        self._deaf_until = self._heard + self._prompt_frames
        self._keep = max(self._keep, self._preroll_frames + 1) + self._deaf_until - self._heard
        self._ring = deque(self._ring, maxlen=self._keep + START_WINDOW)

    def _watch(self, frame: np.ndarray) -> None:
        """Quiet or starting: keep the pre-roll, start when START_VOICED of the last START_WINDOW are voiced."""
        self._raw.append(self.vad.is_speech(frame))
        voiced = self._raw[-1] and self._heard > self._deaf_until
        if self._heard == self._deaf_until and sum(self._raw) < START_VOICED:
            # The prompt's sound is over and nobody spoke over it: it is Glimmer's own, not kept.
            self._keep = self._preroll_frames
            self._ring = deque(maxlen=self._keep + START_WINDOW)
            return
        self._ring.append(frame)
        self._recent.append(voiced)
        if sum(self._recent) < START_VOICED:
            self.state = State.STARTING if any(self._recent) else State.QUIET
            return
        self.state = State.SPEAKING
        self._utterance = list(self._ring)
        self._start_index = len(self._ring) - len(self._recent) + self._recent.index(True)
        self._last_voiced = len(self._utterance) - 1
        self._voiced_bands = [self.vad.bands]
        self._end_if_over()

    def _collect(self, frame: np.ndarray) -> None:
        """Speaking or stopping: every frame is kept until the utterance ends."""
        self._utterance.append(frame)
        if self.vad.is_speech(frame):
            self.state = State.SPEAKING
            self._last_voiced = len(self._utterance) - 1
            self._voiced_bands.append(self.vad.bands)
            self._over_at = None
        else:
            self.state = State.STOPPING
        self._end_if_over()

    def _end_if_over(self) -> None:
        """End at the maximum length, or when the silence after speech has lasted long enough."""
        silence_frames = len(self._utterance) - 1 - self._last_voiced
        if len(self._utterance) - self._start_index >= self._max_frames or self._turn_over(silence_frames):
            self._end()

    def _turn_over(self, silence_frames: int) -> bool:
        """The one place where silence after speech ends the turn: when it has lasted the end-of-speech
        silence (command or answer), or when the end-of-turn judge found the answer over and no voice came
        in the frames that arrived while it judged (a live microphone kept capturing meanwhile)."""
        if self._early is not None and silence_frames == self._offer_frames:
            self._early.offer(self._kept(), silence_frames * FRAME_S)
        if self._early is not None and silence_frames == self._check_frames:
            began = time.monotonic()
            if self._early.over():
                self._over_at = self._heard + math.ceil((time.monotonic() - began) / FRAME_S)
        if self._over_at is not None and self._heard >= self._over_at:
            return True
        return silence_frames >= self._end_frames

    def _end(self) -> None:
        """Speech ended: keep it, unless against the floor learned since it was only a change in steady
        noise (then back to quiet, waiting on)."""
        if self.vad.score_of(np.mean(self._voiced_bands, axis=0)) < SPEECH_SCORE_DB:
            self.state = State.QUIET
            self._over_at = None
            self._ring.clear()
            self._recent.clear()
            return
        self._ended = True
        base = self._heard - len(self._utterance)
        self.endpoints = Endpoints(start_s=(base + self._start_index) * FRAME_S,
                                   speech_end_s=(base + self._last_voiced + 1) * FRAME_S,
                                   returned_s=self._heard * FRAME_S, audio_start_s=(base + self._first()) * FRAME_S,
                                   judged_over=self._over_at is not None)
        self.audio = self._kept()

    def _first(self) -> int:
        """The utterance's first kept frame: the pre-roll before its start (all of it after a prompt)."""
        return 0 if self._keep > self._preroll_frames else max(0, self._start_index - self._preroll_frames)

    def _kept(self) -> np.ndarray:
        """The utterance as listen() returns it: pre-roll, speech, and TAIL_S after the last voiced frame."""
        stop = min(len(self._utterance), self._last_voiced + 1 + int(TAIL_S / FRAME_S))
        return np.concatenate(self._utterance[self._first():stop])


class Listener:
    """Waits for an utterance on `source` and returns its samples (int16 16 kHz), or None on silence."""

    def __init__(self, source: AudioSource, settings: ListenSettings, vad: Vad | None = None) -> None:
        self.source = source
        self.settings = settings
        self.vad = vad or Vad(settings.vad_aggressiveness)   # the assistant's, shared with the wake detector
        self.last: Endpoints | None = None

    def silence_s(self, kind: Kind) -> float:
        """The end-of-speech silence for `kind`: short for commands, long enough for a reflective answer."""
        return self.settings.command_silence_s if kind == "command" else self.settings.answer_silence_s

    def listen(self, kind: Kind, timeout_s: float, preroll: np.ndarray | None = None,
               prompt: Prompt | None = None, early: EarlyEnd | None = None) -> np.ndarray | None:
        """Wait up to `timeout_s` for speech to start, then return it once `kind`'s silence (or the maximum
        length) ends it. `preroll`: audio already heard (e.g. right after the wake phrase), listened to first
        and kept whole when the utterance starts in it or right after it. `prompt`: played when nothing has
        started after its `after_s`; listening goes on through it. What is said over it is kept; when
        nobody spoke as its sound ended, its sound is dropped (it is Glimmer's own, not the person's).
        `early`: may end an answer before its full silence (commands keep theirs)."""
        given = deque(frames_of(preroll)) if preroll is not None and len(preroll) else deque()
        endpointer = Endpointer(self.vad, self.settings, self.silence_s(kind), timeout_s, len(given),
                                prompt, early if kind == "answer" else None)
        while (due := endpointer.due()) is not Due.END:
            if due is Due.PROMPT and prompt is not None:
                prompt.play()
            else:
                endpointer.feed(given.popleft() if given else self.source.read())
        self.last = endpointer.endpoints
        return endpointer.audio
