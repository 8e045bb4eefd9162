"""Turn-taking: Glimmer speaks, then listens, and never takes its own voice for the person's.

The one place that knows how turns pass between Glimmer and the person: it waits until playback has really
left the device, drops what the microphone caught meanwhile (the echo), and keeps the wake path muted for
a session and a tail after it. The two kinds of source differ here only: a live microphone keeps
capturing while Glimmer speaks, so its echo is dropped after a short tail; a simulated one is a series of
recordings made apart from Glimmer's voice, one per turn of the person, each timed from its own start.
With a BargeIn (a live microphone and speaker, and an echo canceller), what the microphone catches while
Glimmer speaks is listened to for "stop" and "pause" instead of dropped unheard.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from typing import TYPE_CHECKING

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from assistant.audio.sinks import AudioSink
from assistant.audio.sources import AudioSource, Microphone
from assistant.errors import GlimmerError

if TYPE_CHECKING:
    from assistant.speech.barge_in import BargeIn, BargeInWord, VoiceOver
    from assistant.speech.wake import WakeDetector

# A bedroom's echo of the last syllable or earcon has faded this long after it reaches the microphone; an
# answer that starts right after the earcon keeps its first word. (The wake path mutes itself longer:
# wake.mute_tail_s.) When barge-in has measured the echo's delay (a Bluetooth speaker, a sound server's
# buffers: measured up to 1.9 s), the echo reaches the microphone that much later, and the tail waits for it.
ECHO_TAIL_S = 0.15
TURN_GRACE_S = 1.5  # after a simulated turn's audio, how long the wake path keeps listening


class HalfDuplex:
    """Turn-taking over one source and one sink; `source` is replaced when the microphone is reopened."""

    def __init__(self, source: AudioSource, sink: AudioSink, wake: WakeDetector | None = None,
                 barge_in: BargeIn | None = None) -> None:
        self.source = source
        self.sink = sink
        self.wake = wake
        self.barge_in = barge_in

    def reopened(self, source: AudioSource) -> None:
        """The microphone was reopened as `source`: listen through it, over the voice too."""
        self.source = source
        if self.barge_in is not None:
            self.barge_in.microphone_changed()

    def next_wake_turn(self) -> bool:
        """Start listening for the wake phrase: a live microphone drops what it caught meanwhile; a simulated
        source plays its next turn, a recording timed from its own start. False when no turn is left."""
        if not self.source.begin_turn():
            return False
        if self.source.simulated and self.wake is not None:
            self.wake.reset()
        return True

    def wake_turn_frames(self) -> Iterator[np.ndarray]:
        """The turn's frames: a live microphone's for ever, a simulated turn's and TURN_GRACE_S after them."""
        grace = round(TURN_GRACE_S * SAMPLE_RATE / FRAME_SAMPLES)
        while grace > 0:
            yield self.source.read()
            if self.source.turn_over:
                grace -= 1

    def session_starts(self) -> None:
        """The wake phrase was heard: from now until `session_ends` nothing can wake Glimmer."""
        if self.wake is not None:
            self.wake.mute(True)

    def expect_voice(self, until: float | None) -> None:
        """An answer that ended early may go on until `until` (time.monotonic()): the person's voice over
        Glimmer's reply before then is heard as it going on (None: no answer may)."""
        if self.barge_in is not None:
            self.barge_in.expect_voice(until)

    def overheard(self, until_done: bool = False) -> BargeInWord | VoiceOver | None:
        """A stop or pause said over Glimmer's voice, or the person's answer going on over it, in what the
        microphone has caught so far (`until_done`: and until playback has ended); None without barge-in."""
        if self.barge_in is None or not isinstance(self.source, Microphone):
            return None
        return self.barge_in.watch(self.source, until_done)

    def ready_to_listen(self, new_turn: bool) -> BargeInWord | VoiceOver | None:
        """Before listening: wait until playback has really ended (listening over it with barge-in: a stop
        or pause heard ends it at once and is returned, and so does an answer going on, with what it said
        over the voice), then start afresh. A live microphone drops what it caught meanwhile (Glimmer's own
        voice) after a short tail, unless the person is speaking on; a simulated one moves to its next turn
        only when Glimmer asks something (`new_turn`), not for the silence of a pause."""
        from assistant.speech.barge_in import VoiceOver

        word = self.overheard(until_done=True)
        self.sink.wait_done()
        if isinstance(word, VoiceOver):   # the person is speaking now: nothing is dropped
            return word
        if not self.source.simulated:
            time.sleep(self.echo_tail_s())
            self.source.begin_turn()
        elif new_turn:
            self.source.begin_turn()
        return word

    def echo_delay_s(self) -> float:
        """How late the speaker's echo reaches the microphone, as barge-in measured it (0 until it has)."""
        delay = self.barge_in.delay_s if self.barge_in is not None else None
        return delay or 0.0

    def echo_tail_s(self) -> float:
        """How long after playback has left the device the microphone may still hear it."""
        return ECHO_TAIL_S + self.echo_delay_s()

    def prompt_played(self) -> None:
        """The listening chime was queued while listening went on: a simulated turn that is over gives way
        to the next (a live microphone hears the chime itself; the endpointer drops its sound)."""
        if self.source.simulated and self.source.turn_over:
            self.source.begin_turn()

    def session_ends(self) -> None:
        """Back to idle once the last sound has left the device; the wake path's mute tail (wake.mute_tail_s,
        past the echo's delay) is measured from then."""
        with suppress(GlimmerError):
            self.sink.wait_done()
        if self.wake is not None:
            self.wake.mute(False, self.echo_delay_s())
