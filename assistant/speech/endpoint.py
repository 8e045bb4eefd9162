"""Endpointing: when an utterance starts and ends, with pre-roll, over any AudioSource.

One state machine, whatever the VAD under it: quiet -> speaking (a few voiced frames close together) ->
ended (a run of silence as long as the kind of utterance allows, or the maximum length). Audio from just
before the start (pre-roll) is kept so first words survive; the silence after the last word is trimmed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

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


@dataclass(frozen=True)
class Prompt:
    """Something to play (e.g. the listening chime) once `after_s` of quiet has been heard, listening on."""

    after_s: float
    play: Callable[[], None]


class Listener:
    """Waits for an utterance on `source` and returns its samples (int16 16 kHz), or None on silence."""

    def __init__(self, source: AudioSource, settings: ListenSettings) -> None:
        self.source = source
        self.settings = settings
        self.vad = Vad(settings.vad_aggressiveness)
        self.last: Endpoints | None = None

    def silence_s(self, kind: Kind) -> float:
        """The end-of-speech silence for `kind`: short for commands, long enough for a reflective answer."""
        return self.settings.command_silence_s if kind == "command" else self.settings.answer_silence_s

    def listen(self, kind: Kind, timeout_s: float, preroll: np.ndarray | None = None,
               prompt: Prompt | None = None) -> np.ndarray | None:
        """Wait up to `timeout_s` for speech to start, then return it once `kind`'s silence (or the maximum
        length) ends it. `preroll`: audio already heard (e.g. right after the wake phrase), listened to first
        and kept whole when the utterance starts in it or right after it. `prompt`: played when nothing has
        started after its `after_s`; listening goes on through it. What is said over it is kept; when
        nobody spoke as its sound ended, its sound is dropped (it is Glimmer's own, not the person's)."""
        given = deque(frames_of(preroll)) if preroll is not None and len(preroll) else deque()
        preroll_frames = int(self.settings.preroll_s / FRAME_S)
        keep = preroll_frames + len(given)
        end_frames = max(1, round(self.silence_s(kind) / FRAME_S))
        max_frames = int(self.settings.max_utterance_s / FRAME_S)
        wait_frames = int(timeout_s / FRAME_S)
        prompt_at = round(prompt.after_s / FRAME_S) if prompt else None
        deaf_until = 0          # frames of the prompt's own sound: heard and kept, but they start nothing

        ring: deque[np.ndarray] = deque(maxlen=keep + START_WINDOW)
        recent: deque[bool] = deque(maxlen=START_WINDOW)
        raw: deque[bool] = deque(maxlen=START_WINDOW)   # voiced, the prompt's sound included
        heard = 0
        while True:
            # Quiet: look for a start.
            while True:
                if heard >= wait_frames and (not any(recent) or heard >= wait_frames + START_WINDOW):
                    self.last = None
                    return None
                if prompt is not None and prompt_at is not None and heard >= prompt_at and not any(recent):
                    prompt.play()
                    prompt_at, deaf_until = None, heard + round(PROMPT_ECHO_S / FRAME_S)
                    keep = max(keep, preroll_frames + 1) + deaf_until - heard   # all since the prompt
                    ring = deque(ring, maxlen=keep + START_WINDOW)
                frame = given.popleft() if given else self.source.read()
                heard += 1
                raw.append(self.vad.is_speech(frame))
                voiced = raw[-1] and heard > deaf_until
                if heard == deaf_until and sum(raw) < START_VOICED:   # its sound is over and nobody spoke
                    keep = preroll_frames
                    ring = deque(maxlen=keep + START_WINDOW)
                    continue
                ring.append(frame)
                recent.append(voiced)
                if sum(recent) >= START_VOICED:
                    break
            # Speaking: collect until enough silence or the maximum length.
            utterance = list(ring)
            start_index = len(ring) - len(recent) + recent.index(True)
            last_voiced = len(utterance) - 1
            voiced_bands = [self.vad.bands]
            while len(utterance) - start_index < max_frames and len(utterance) - 1 - last_voiced < end_frames:
                frame = given.popleft() if given else self.source.read()
                heard += 1
                utterance.append(frame)
                if self.vad.is_speech(frame):
                    last_voiced = len(utterance) - 1
                    voiced_bands.append(self.vad.bands)
            if self.vad.score_of(np.mean(voiced_bands, axis=0)) >= SPEECH_SCORE_DB:
                break
            ring.clear()   # against the floor learned since, it was a change in steady noise: keep waiting
            recent.clear()

        first = 0 if keep > preroll_frames else max(0, start_index - preroll_frames)
        stop = min(len(utterance), last_voiced + 1 + int(TAIL_S / FRAME_S))
        base = heard - len(utterance)
        self.last = Endpoints(start_s=(base + start_index) * FRAME_S,
                              speech_end_s=(base + last_voiced + 1) * FRAME_S, returned_s=heard * FRAME_S,
                              audio_start_s=(base + first) * FRAME_S)
        return np.concatenate(utterance[first:stop])
