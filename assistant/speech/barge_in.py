"""Hearing "stop" while Glimmer speaks: the microphone, echo-cancelled against what the speaker plays.

Each microphone frame is paired with the samples that left the speaker at the same moment (the speaker's
PlaybackTape), held back by the echo's delay. The delay is found by GCC-PHAT on the first ESTIMATE_SPAN_S
of audible playback (audio/echo_delay.py); until then nothing is heard over the voice, as in half-duplex. It
keeps being measured while Glimmer speaks: a delay that moves (a Bluetooth speaker that reconnected, a sound
server that rebuilt its buffers) is taken on and the canceller adapts afresh. A frame is the person's when
the VAD hears a voice in it after cancellation, it is above the room's floor, and, while the reference is
audible, the canceller kept most of what the microphone heard (KEPT_DB: the echo alone loses 15 dB or more)
and it stands NEAR_DB above the echo that is usually left.
An utterance that a fresh fit of what the speaker played around it explains far better than the canceller did
is its own echo, left over where the canceller fell behind (audio/echo_match.py): it is let go unread. Any other
short utterance of such frames (up to MAX_UTTERANCE_S) is first asked whether it is a stop or pause phrase
said alone (control_confirm.py: Whisper's closed question, which hears a robotic or accented "Stop." that a
free reading gets wrong; then, when a phrase was near, primed to expect one and held to a smaller deficit), and
when it is not, asked again with WIDEN_S of what was heard before it (a word split in two at the silence inside
it, or begun under the echo's remains), then read freely; only a whole utterance that is a stop or pause control
counts, and not when it is the echo of Glimmer itself saying those
words (its sentences and what the speaker really played are on the tape). The speaker is held while an
utterance is read, so that a stop is silent as soon as the word has ended, however long the reading takes
(on a Raspberry Pi 4 the first encoding alone takes 0.6-0.9 s); its own echo never reaches the reading.
Anything else resumes the voice where it was held and is ignored, except while an answer that ended early may
still go on (`expect_voice`): then the person's voice over Glimmer's reply, VOICE_ONSET_S of it in which
Whisper reads words that are not Glimmer's own, is their answer going on (VoiceOver), and what the microphone
hears is kept, cancelled, until playback ends.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass

import numpy as np

from assistant.audio.echo import EchoCanceller, make_echo_canceller
from assistant.audio.echo_delay import DelayTracker
from assistant.audio.echo_match import echo_left_db
from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from assistant.audio.sinks import AudioSink, Speaker
from assistant.audio.sources import AudioSource, Microphone
from assistant.controls import Control, normalise, parse_control
from assistant.speech.control_confirm import Closest, ControlConfirmer, load_control_confirmer
from assistant.speech.transcribe import LazyTranscriber
from assistant.speech.transcript import Transcriber
from assistant.speech.vad import Vad

log = logging.getLogger(__name__)

FRAME_S = FRAME_SAMPLES / SAMPLE_RATE
NEAR_DB = 9.0             # how far above the echo usually left the person's frame stands
KEPT_DB = -6.0            # the person's frame keeps at least this much of the microphone's level
FLOOR_DBFS = -58.0        # nothing quieter is a person, whatever the room
AUDIBLE_DBFS = -45.0      # reference frames louder than this teach the echo-left ratio
REVERB_FRAMES = 5         # the reference's loudest frame over this many counts (a room's tail)
HANGOVER_FRAMES = 5       # quiet frames that end an utterance (150 ms)
MIN_UTTERANCE_S, MAX_UTTERANCE_S = 0.12, 2.0
LEAD_S = 0.15             # audio before the utterance's first loud frame, for Whisper
OWN_WORDS_MARGIN_S = 0.7  # a sentence Glimmer plays this close to the utterance may be what it echoes
OWN_READ_MARGIN_S = 0.5   # what the speaker played this much either side of the echo's moment is read
FILTER_LEAD_S = 0.1       # the reference is held back this much less than the delay: the canceller's filter
                          # (0.3 s) then covers the echo even when the timing is off by -0.1 to +0.2 s
LOUD_SPAN_DB = 10.0       # a frame this close to the utterance's loudest is still the person's voice
TAIL_FRAMES = 2           # frames kept after the loud part (a word's soft ending)
RUN_GAP_S = 0.15          # a frame this far from right after the last one heard begins a new run
WATCHED = (Control.STOP, Control.PAUSE)
VOICE_ONSET_S = 0.3       # this much of the person's voice over a reply, while their answer may go on: it does,
VOICE_ONSET_FRAMES = round(VOICE_ONSET_S / FRAME_S)   # if its words are not Glimmer's own (read again each time)
OWN_SHARE = 0.5           # the share of the words heard that Glimmer's own must say for them to be its echo
ECHO_SEARCH_S = 0.5       # an utterance's echo is looked for this far either side of where the delay puts it
OWN_ECHO_DB = -10.0       # a fresh fit of the speaker's output leaving this much less than the canceller did:
                          # what was heard is the echo the canceller fell behind on
TRACK_RETRY_S = 2.0       # once the delay is known, an unclear measurement of it is tried again this much later
MOVED_S = 0.02            # a delay measured again that moved further than this is taken on (speexdsp's filter
                          # follows smaller moves itself)
WIDEN_S = 0.8             # a phrase the closed question does not find is asked again with this much more of what
                          # was heard before the utterance: a word split in two at its closure ("I st-" "-opped"),
                          # or begun under the echo's remains, is then whole. Chosen on dev voices, none of the
                          # bench's (scripts/barge_in_deficit.py): stops heard 33 -> 37, 38, 38 of 40 at 0.5, 0.8,
                          # 1.0 s; other phrases taken 6 -> 6, 6, 7 of 50; its own passages 0 of 39 throughout
WIDEN_FRAMES = round(WIDEN_S / FRAME_S)
MOST_DEFICIT = 2.5        # the closed question's deficit a stop or pause phrase may have (chosen on dev voices,
                          # none of the bench's: scripts/barge_in_deficit.py)
MOST_PRIMED_DEFICIT = 1.0  # the same, asked primed (control_confirm.PRIMER), of the utterance alone. Chosen on two
                          # live dev collections (scripts/barge_in_deficit.py), no bench voice: stops heard 39 -> 40
                          # of 40 and 56 -> 61 of 64 at 0.5 or 1.0; other phrases taken 10 -> 12 and 6 -> 9 of 50,
                          # all sound-alikes ("Paws.", "Top."); at 1.5: 40 and 62 for 14 and 10 taken
PRIMED_FROM = 6.0         # ... asked only when the plain question's closest phrase is this near: primed, Whisper can
                          # read "Pause." into its own echo's remains ("in the room." 12.9 -> 0.2 on a dev passage);
                          # the dev stops it gained were at 2.6-5.4


@dataclass(frozen=True)
class BargeInWord:
    """Words heard over Glimmer's voice that stop or pause it."""

    text: str
    control: Control


@dataclass
class VoiceOver:
    """The person speaking on over Glimmer's reply while their answer may still go on: the echo-cancelled
    frames from just before their voice began (more are added until playback has ended)."""

    frames: list[np.ndarray]

    @property
    def audio(self) -> np.ndarray:
        return np.concatenate(self.frames)


class BargeIn:
    """Listens for stop and pause words while the speaker plays; one per run (it keeps the echo's delay)."""

    def __init__(self, speaker: Speaker, transcriber: Transcriber, canceller: EchoCanceller,
                 vad_aggressiveness: int = 2, confirmer: ControlConfirmer | None = None) -> None:
        self.speaker = speaker
        self.transcriber = transcriber
        self.confirmer = confirmer
        self.tape = speaker.record_playback()
        self.echo_delay = DelayTracker(moved_s=MOVED_S, tracking_retry_s=TRACK_RETRY_S)
        self._canceller = canceller
        self._vad = Vad(vad_aggressiveness)
        self._residual_db = -20.0          # output over reference, where the reference is audible
        self._recent_reference: deque[float] = deque(maxlen=REVERB_FRAMES)
        self._last_at: float | None = None     # when the last frame heard was captured
        self._voice_until: float | None = None   # an answer may go on: a voice starting before then does
        self._voice: VoiceOver | None = None
        self._recent: deque[np.ndarray] = deque(maxlen=WIDEN_FRAMES + round(
            (LEAD_S + MAX_UTTERANCE_S) / FRAME_S) + 2 * HANGOVER_FRAMES)   # the cancelled frames, oldest first
        self._reset_utterance()

    @property
    def delay_s(self) -> float | None:
        """How late the speaker's echo reaches the microphone, once measured."""
        delay = self.echo_delay.delay
        return None if delay is None else delay / SAMPLE_RATE

    @property
    def delay_moves(self) -> int:
        """How often a measured delay that had moved was taken on."""
        return self.echo_delay.moves

    def expect_voice(self, until: float | None) -> None:
        """An answer that ended early may go on until `until` (time.monotonic()); None: no answer may."""
        self._voice_until, self._voice = until, None

    def microphone_changed(self) -> None:
        """A reopened (perhaps another) microphone: its echo comes back with a delay of its own, found anew."""
        self.echo_delay.forget()
        self._last_at = None
        self._reset_utterance()

    def _reset_utterance(self) -> None:
        self._lead: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=max(1, round(LEAD_S / FRAME_S)))
        self._utterance: list[np.ndarray] = []   # cancelled
        self._heard: list[np.ndarray] = []       # the same frames as the microphone heard them
        self._near_frames = 0
        self._next_voice_check = VOICE_ONSET_FRAMES   # near frames after which a voice going on is read
        self._lead_frames = 0
        self._started_at = 0.0
        self._quiet = 0

    def _start_afresh(self) -> None:
        """No utterance, and nothing heard before now to widen one with (the frames before are of another run,
        or were cancelled against an echo path that has since moved)."""
        self._reset_utterance()
        self._recent.clear()

    def watch(self, microphone: Microphone, until_done: bool) -> BargeInWord | VoiceOver | None:
        """Listen over the voice: until playback has ended (`until_done`), else only through the frames
        captured so far. The stop or pause heard, or the person's answer going on (playback is then faded
        out; the VoiceOver is returned again, with all it gathered, once playback has ended), or None."""
        while True:
            if not microphone.waiting and not (until_done and self.speaker.playing):
                voice = self._voice
                if until_done:
                    self._voice = None
                return voice
            heard = self._hear(microphone.read(), microphone.frame_at)
            if heard is not None:
                self.speaker.fade_out()
                if isinstance(heard, VoiceOver):
                    log.info("the answer goes on over the voice")
                    if until_done:
                        continue
                    return heard
                log.info("heard %r over the voice: %s", heard.text, heard.control.value)
                return heard

    def _hear(self, frame: np.ndarray, at: float) -> BargeInWord | VoiceOver | None:
        """One microphone frame stamped `at`: a stop or pause when an utterance ending here is one; the
        VoiceOver when the person's answer goes on from here."""
        self.tape.update()
        self._follow(at)
        self._measure_delay(frame, at)
        if self.delay_s is None:
            return None
        reference = self.tape.at(at - self.delay_s + FILTER_LEAD_S, FRAME_SAMPLES)
        clean = self._canceller.process(frame, reference)
        if self._voice is not None:
            self._voice.frames.append(clean)
            return None
        near = self._is_person(frame, clean, reference)
        self._recent.append(clean)
        return self._segment(frame, clean, near, at)

    def _follow(self, at: float) -> None:
        """A frame captured at `at`: one not right after the last one this heard (others were read between,
        or samples were lost) begins a new run, with no utterance carried over from before."""
        if self._last_at is None or abs(at - self._last_at - FRAME_S) > RUN_GAP_S:
            log.debug("listening over the voice: a new run of frames")
            self.echo_delay.restart()
            self._start_afresh()
        self._last_at = at

    def _measure_delay(self, frame: np.ndarray, at: float) -> None:
        """Measure the echo's delay from the microphone and what was played at the same moments
        (audio/echo_delay.DelayTracker), again and again: the first measurement starts listening over the
        voice; a later one that moved by more than MOVED_S is taken on, and the canceller adapts afresh."""
        before = self.delay_s
        lag = self.echo_delay.feed(frame, self.tape.at(at, FRAME_SAMPLES))
        if lag is None:
            return
        if before is None:
            log.info("echo delay %.0f ms: listening over the voice from now on", 1000 * lag / SAMPLE_RATE)
            return
        log.info("echo delay moved from %.0f to %.0f ms: the canceller adapts afresh", 1000 * before,
                 1000 * lag / SAMPLE_RATE)
        self._canceller.reset()
        self._start_afresh()

    def _is_person(self, mic: np.ndarray, clean: np.ndarray, reference: np.ndarray) -> bool:
        """Whether the person, not the echo left over, is in this cancelled frame."""
        clean_db, reference_db = _dbfs(clean), _dbfs(reference)
        self._recent_reference.append(reference_db)
        loudest = max(self._recent_reference)
        near = self._vad.is_speech(clean) and clean_db > FLOOR_DBFS
        if loudest > AUDIBLE_DBFS:
            near = near and clean_db - _dbfs(mic) > KEPT_DB and clean_db > loudest + self._residual_db + NEAR_DB
        if loudest > AUDIBLE_DBFS and not near:
            self._residual_db += 0.05 * (np.clip(clean_db - loudest, -40.0, 0.0) - self._residual_db)
        return near

    def _segment(self, heard: np.ndarray, clean: np.ndarray, near: bool, at: float
                 ) -> BargeInWord | VoiceOver | None:
        """Gather the person's frames (as heard, and cancelled) into an utterance; read it once it has ended.
        While an answer may go on, one that began in time is that answer going on once VOICE_ONSET_S of it
        is the person's."""
        if not self._utterance:
            if near:
                self._utterance = [*(c for _, c in self._lead), clean]
                self._heard = [*(h for h, _ in self._lead), heard]
                self._started_at, self._lead_frames, self._near_frames = at, len(self._lead), 1
            else:
                self._lead.append((heard, clean))
            return None
        self._utterance.append(clean)
        self._heard.append(heard)
        self._quiet = 0 if near else self._quiet + 1
        self._near_frames += near
        if self._voice_until is not None and self._started_at <= self._voice_until \
                and self._near_frames >= self._next_voice_check:
            audio = np.concatenate(self._utterance)
            if not self._echo_left_over(audio) and self._a_person_goes_on(audio, self._started_at, at + FRAME_S):
                self._voice = VoiceOver(list(self._utterance))
                self._reset_utterance()
                return self._voice
            self._next_voice_check += VOICE_ONSET_FRAMES
        length = len(self._utterance) * FRAME_S
        if length > MAX_UTTERANCE_S + LEAD_S + HANGOVER_FRAMES * FRAME_S:
            self._reset_utterance()          # too long to be a stop word: an answer or a conversation
            return None
        if self._quiet < HANGOVER_FRAMES:
            return None
        audio, started = np.concatenate(self._utterance), self._started_at
        spoken = length - (self._lead_frames + HANGOVER_FRAMES) * FRAME_S
        echo = spoken >= MIN_UTTERANCE_S and self._echo_left_over(audio)
        widened = self._widened(len(self._utterance))
        self._reset_utterance()
        if spoken < MIN_UTTERANCE_S or echo:
            return None
        return self._read(audio, widened, started, at + FRAME_S)

    def _widened(self, frames: int) -> np.ndarray | None:
        """The utterance just ended (its last `frames` cancelled frames) with up to WIDEN_S of what was heard
        before it, or None when nothing was."""
        if len(self._recent) <= frames:
            return None
        return np.concatenate(list(self._recent)[-(frames + WIDEN_FRAMES):])

    def _echo_left_over(self, cancelled: np.ndarray) -> bool:
        """Whether the utterance so far (`cancelled`: its frames as the canceller left them) is Glimmer's own
        echo that the canceller fell behind on (after a stall, or while it re-adapts): what the speaker played
        around that moment, fitted afresh, explains far more of what the microphone heard than the canceller
        took out (audio/echo_match.py)."""
        heard = np.concatenate(self._heard)
        began = self._started_at - self._lead_frames * FRAME_S - (self.delay_s or 0.0)
        search = int(ECHO_SEARCH_S * SAMPLE_RATE)
        played = self.tape.at(began - ECHO_SEARCH_S, len(heard) + 2 * search)
        left = echo_left_db(heard, cancelled, played, search)
        if left <= OWN_ECHO_DB:
            log.debug("over the voice, its own echo: a fresh fit leaves %.1f dB of what the canceller did", left)
            return True
        log.debug("over the voice, not only its echo: a fresh fit leaves %+.1f dB", left)
        return False

    def _a_person_goes_on(self, audio: np.ndarray, started: float, ended: float) -> bool:
        """Whether the voice heard over the reply is the person's answer going on: Whisper reads words in it,
        and most are not Glimmer's own (the echo left over, loud enough to be read, is its own sentence, often
        misheard: "don't hurry" for "no hurry"). A person's words that happen to be its own are read again,
        with more of them, after the next VOICE_ONSET_S."""
        words = normalise(self.transcriber.transcribe(audio).text).split()
        if not words or self._its_own(words, started, ended):
            log.debug("over the voice, not an answer going on: %r", " ".join(words))
            return False
        log.debug("over the voice, the answer goes on: %r", " ".join(words))
        return True

    def _read(self, audio: np.ndarray, widened: np.ndarray | None, started: float, ended: float
              ) -> BargeInWord | None:
        """The utterance as a stop or pause, unless it is something else or Glimmer's own words. The speaker
        is held while it is read (its own echo was let go before, unread and unheld), so that a stop is silent
        as soon as the word has ended, however long the reading takes; anything else resumes the voice."""
        self.speaker.hold()
        log.debug("over the voice, held while %.1f s is read", audio.size / SAMPLE_RATE)
        word = None
        try:
            word = self._weigh(audio, widened, started, ended)
            return word
        finally:
            if word is None:
                self.speaker.resume()
            else:
                self._recent.clear()     # the words acted on are never part of a later utterance widened

    def _weigh(self, audio: np.ndarray, widened: np.ndarray | None, started: float, ended: float
               ) -> BargeInWord | None:
        """The closed question comes first, on the utterance and then on it `widened` (a word split in two,
        or begun under the echo's remains); failing both, the free reading. When that reads as a stop or
        pause followed by more words, its loud part alone is read again: the echo left over after the
        person's word, quieter than their voice, can be read as words too ("Stop music!")."""
        closest = self._ask(audio, primed_too=True)
        if closest is None and widened is not None and (closest := self._ask(widened)) is not None:
            started -= (widened.size - audio.size) / SAMPLE_RATE     # its words began up to WIDEN_S earlier
        text = closest.phrase if closest is not None else self._read_freely(audio)
        control = parse_control(text)
        if control not in WATCHED:
            log.debug("over the voice, not a control: %r", text)
            return None
        if self._its_own(normalise(text).split(), started, ended):
            log.debug("over the voice, its own words: %r", text)
            return None
        return BargeInWord(text, control)

    def _ask(self, audio: np.ndarray, primed_too: bool = False) -> Closest | None:
        """The stop or pause phrase the closed question finds within MOST_DEFICIT, or else (`primed_too`) the
        primed one within MOST_PRIMED_DEFICIT when the plain question left a phrase within PRIMED_FROM, or None."""
        if self.confirmer is None:
            return None
        encoded = self.confirmer.encode(audio)
        closest = self.confirmer.closest_of(self.confirmer.likely(encoded, PRIMED_FROM if primed_too else MOST_DEFICIT))
        self._note(closest, audio, "")
        if closest.deficit <= MOST_DEFICIT:
            return closest
        if not primed_too or closest.deficit > PRIMED_FROM:
            return None
        closest = self.confirmer.closest_of(self.confirmer.likely(encoded, MOST_PRIMED_DEFICIT, primed=True))
        self._note(closest, audio, " primed")
        return closest if closest.deficit <= MOST_PRIMED_DEFICIT else None

    @staticmethod
    def _note(closest: Closest, audio: np.ndarray, how: str) -> None:
        """Log the phrase the closed question (asked `how`) found closest, when it found one."""
        if closest.phrase:
            log.debug("over the voice, the closest phrase%s: %r (deficit %.1f; %.1f s)", how, closest.phrase,
                      closest.deficit, audio.size / SAMPLE_RATE)

    def _read_freely(self, audio: np.ndarray) -> str:
        """Whisper's reading of the utterance, or of its loud part when the whole reads as a stop or pause
        phrase followed by more words."""
        text = self.transcriber.transcribe(audio).text.strip()
        if parse_control(text) not in WATCHED and _starts_with_a_watched_control(text):
            loud = _loud_part(audio)
            if loud.size < audio.size:
                return self.transcriber.transcribe(loud).text.strip()
        return text

    def _its_own(self, words: list[str], started: float, ended: float) -> bool:
        """Whether the utterance is the echo of Glimmer itself saying `words`: a sentence playing within
        OWN_WORDS_MARGIN_S of it says at least OWN_SHARE of them (the echo is misheard too: "Stop it." for
        "...to stop at any point"), and so does what the speaker really played at the moment the echo came
        from (the tape, read by Whisper, OWN_READ_MARGIN_S either side). The tape, not the word's place in
        the sentence's text: an underrun or a voice that lingers on a word moves it from there. So a person's
        "stop" said while Glimmer's sentence mentions stop elsewhere is still theirs."""
        delay = self.delay_s or 0.0
        lo, hi = started - delay - OWN_WORDS_MARGIN_S, ended - delay + OWN_WORDS_MARGIN_S
        near = {word for _, _, sentence in self.tape.spoken_between(lo, hi)
                for word in re.findall(r"[a-z0-9']+", normalise(sentence))}
        if not words or _share_in(words, near) < OWN_SHARE:
            return False
        span = ended - started + 2 * OWN_READ_MARGIN_S
        played = self.tape.at(started - delay - OWN_READ_MARGIN_S, int(span * SAMPLE_RATE))
        said = set(normalise(self.transcriber.transcribe(played).text).split())
        log.debug("the speaker played %r there", " ".join(sorted(said)))
        return _share_in(words, said) >= OWN_SHARE


def make_barge_in(sink: AudioSink, source: AudioSource, transcriber: LazyTranscriber, enabled: bool = True,
                  vad_aggressiveness: int = 2) -> tuple[BargeIn | None, str]:
    """Barge-in for a live speaker and microphone with an echo canceller, and a line saying which mode is
    on; None (half-duplex: nothing is heard while Glimmer speaks) and why otherwise."""
    if not enabled:
        return None, "half-duplex: barge-in is off (listen.barge_in), stop works in the pauses"
    if not isinstance(sink, Speaker) or source.simulated:
        return None, "half-duplex: recorded turns or a WAV output, no barge-in"
    canceller, line = make_echo_canceller()
    if canceller is None:
        return None, line
    confirmer = load_control_confirmer(transcriber.choice.model) if transcriber.choice.engine == "whisper" else None
    return (BargeIn(sink, transcriber, canceller, vad_aggressiveness, confirmer),
            f"barge-in: stop and pause heard over the voice ({line})")


def _starts_with_a_watched_control(text: str) -> bool:
    """Whether the first words of `text` (up to three) are a stop or pause phrase by themselves."""
    words = normalise(text).split()
    return any(parse_control(" ".join(words[:n])) in WATCHED for n in range(1, min(3, len(words)) + 1))


def _loud_part(audio: np.ndarray) -> np.ndarray:
    """`audio` up to TAIL_FRAMES after its last frame within LOUD_SPAN_DB of its loudest one."""
    levels = [_dbfs(audio[i:i + FRAME_SAMPLES]) for i in range(0, audio.size - FRAME_SAMPLES + 1, FRAME_SAMPLES)]
    if not levels:
        return audio
    last = max(i for i, level in enumerate(levels) if level >= max(levels) - LOUD_SPAN_DB)
    return audio[:(last + 1 + TAIL_FRAMES) * FRAME_SAMPLES]


def _share_in(words: list[str], known: set[str]) -> float:
    """The share of `words` that are in `known`."""
    return sum(word in known for word in words) / len(words)


def _dbfs(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples.astype(np.float64) ** 2) / 32768 ** 2 + 1e-12))
