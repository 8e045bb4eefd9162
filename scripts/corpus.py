"""Labelled audio and texts for tests, benches and wake training, made on this machine.

Voices: hibari (natural; seeds and speeds vary it) and espeak-ng (robotic); the wake model's voice families
are in scripts/wake_voices.py. Real people: the LibriVox clips of pocketsphinx-testdata, with transcripts.
Backgrounds: noise mixed at a signal-to-noise ratio and levels (noise and rooms themselves are
assistant.audio.rooms, which enrollment uses too). Wake phrase texts: sentence templates split into a TRAIN
and a TEST half, so the bench and tests never hear a sentence, hibari seed, speed or espeak voice the model
was trained on; confusables and near misses.
"""
from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.resample import resample
from assistant.audio.rooms import Seed, add_background, add_noise
from assistant.audio.wav import read_wav
from assistant.speech.pacing import trim

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SR = SAMPLE_RATE


# --- voices ----------------------------------------------------------------------------------------------
class Synthesizer:
    """Speech for tests and benches: hibari (natural; seeds and speeds vary it) and espeak-ng (robotic)."""

    @functools.cached_property
    def _hibari(self):
        from hibari import Hibari
        return Hibari()

    def hibari(self, text: str, seed: int = 0, speed: float = 1.0) -> np.ndarray:
        """`text` in the hibari voice as 16 kHz int16."""
        audio = self._hibari(text, seed=seed, speed=speed)
        return to_int16(resample(np.asarray(audio, dtype=np.float32), 24000, SAMPLE_RATE))

    @staticmethod
    def espeak(text: str, voice: str = "en-us", words_per_minute: int = 150, pitch: int = 50) -> np.ndarray:
        """`text` spoken by espeak-ng with `voice` (e.g. "en-us+f3", "en-gb+m2") as 16 kHz int16."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "say.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch),
                            "-w", str(out), text], check=True, capture_output=True)
            return read_wav(out)

    @staticmethod
    def flite(text: str, voice: str = "slt") -> np.ndarray:
        """`text` spoken by flite with `voice` (slt, rms, awb, kal) as 16 kHz int16."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "say.wav"
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True)
            return read_wav(out)


@functools.lru_cache(maxsize=1)
def _hibari():
    from hibari import Hibari
    return Hibari(threads=1)


def hibari(text: str, seed: int, speed: float) -> np.ndarray:
    """The natural hibari voice, 16 kHz float32, trimmed (one thread: wake training synthesizes in workers)."""
    a = _hibari()(text, speed=speed, seed=seed)
    return trim(resample(np.asarray(a, dtype=np.float32), 24000, SR), SR)


# --- real speech ----------------------------------------------------------------------------------------
def librivox_clips() -> list[tuple[Path, str]]:
    """The real human recordings from Debian's pocketsphinx-testdata, with their transcripts."""
    transcripts = {}
    listing = LIBRIVOX / "transcription"
    if not listing.is_file():
        return []
    for line in listing.read_text().splitlines():
        # Format: "text words (file-id)"
        if "(" in line:
            text, _, ident = line.rpartition("(")
            words = [w for w in text.split() if w not in ("<s>", "</s>")]
            transcripts[ident.rstrip(") ").strip()] = " ".join(words).lower()
    return [(wav, transcripts[wav.stem]) for wav in sorted(LIBRIVOX.glob("*.wav")) if wav.stem in transcripts]


@functools.lru_cache(maxsize=1)
def librivox() -> tuple[np.ndarray, ...]:
    """The five LibriVox clips of pocketsphinx-testdata (human read speech), 16 kHz float32."""
    return tuple(to_float(read_wav(p)) for p in sorted(LIBRIVOX.glob("*.wav")))


# --- backgrounds and turns ------------------------------------------------------------------------------
def mix_at_snr(speech: np.ndarray, kind: str, snr_db: float, seed: Seed = 0) -> np.ndarray:
    """`speech` (int16) with `kind` noise at `snr_db` (speech power measured where it is above 1% of its peak)."""
    return to_int16(add_noise(to_float(speech), kind, snr_db, seed, speech_above=0.01))


def babble(n: int, seed: int, talkers: int = 4) -> np.ndarray:
    """`n` samples of `talkers` real voices at once (the LibriVox clips, looped from random points), float32
    at unit RMS."""
    rng = np.random.default_rng(seed)
    clips = librivox()
    mixed = np.zeros(n, np.float32)
    for k in range(talkers):
        voice = np.concatenate([clips[(k + j) % len(clips)] for j in range(len(clips))])
        voice = np.tile(voice, n // len(voice) + 2)
        start = int(rng.integers(0, len(voice) - n))
        mixed += voice[start:start + n] / (np.sqrt(np.mean(voice ** 2)) + 1e-9)
    return mixed / np.sqrt(np.mean(mixed ** 2))


def mix_babble(speech: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """`speech` (int16) with four-talker babble at `snr_db`, measured as `mix_at_snr` does."""
    return to_int16(add_background(to_float(speech), babble(len(speech), seed), snr_db, speech_above=0.01))


def level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale so the peak sits at dbfs, clipped to [-1, 1]."""
    peak = max(1e-6, float(np.abs(x).max()))
    return np.clip(x * (10 ** (dbfs / 20) / peak), -1, 1).astype(np.float32)


def spoken_turn(synth: "Synthesizer", sentences: list[str] | tuple[str, ...], seed: int, speed: float,
                gap_s: float = 0.3, edge_s: float = 0.4) -> np.ndarray:
    """One microphone turn: `sentences` said in one go by the hibari voice, `gap_s` apart, room silence around."""
    parts = [np.zeros(int(edge_s * SAMPLE_RATE), dtype=np.int16)]
    for number, sentence in enumerate(sentences):
        if number:
            parts.append(np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.int16))
        speech = to_float(synth.hibari(sentence, seed=seed, speed=speed))
        parts.append(to_int16(trim(speech, SAMPLE_RATE)))  # without the synthesizer's own padding
    parts.append(np.zeros(int(edge_s * SAMPLE_RATE), dtype=np.int16))
    return np.concatenate(parts)


# --- wake phrase texts and their TRAIN/TEST split --------------------------------------------------------
TRAIN_SPEEDS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
TEST_SPEEDS = (0.85, 0.95, 1.05, 1.15, 1.25)
TEST_SEEDS = range(50000, 60000)    # training uses seeds outside this range
ESPEAK_TRAIN = tuple(f"{v}+{x}" for v in ("en-us", "en", "en-gb-scotland", "en-029")
                     for x in ("m1", "m2", "m4", "m5", "m7", "f1", "f2", "f5", "klatt", "klatt3", "Andy",
                               "david", "linda", "robert", "steph", "boris", "edward", "max"))
ESPEAK_TEST = tuple(f"{v}+{x}" for v in ("en-gb-x-rp", "en-gb-x-gbclan", "en-us")
                    for x in ("m3", "m6", "f3", "f4", "klatt2", "Alicia", "paul", "john"))

PHRASE_TEXTS = ("Hey Glimmer", "hey glimmer", "Hey, Glimmer.", "Hey Glimmer!", "Hey glimmer?", "Hey Glimmer,",
                "Hey, glimmer!")

# Sounds close to the phrase that must not wake it. TEST_ONLY ones are never trained on.
CONFUSABLES = ("a glimmer", "the glimmer", "hey Jimmy", "shimmer", "glamour", "hey, shimmer", "hey glamour",
               "they glimmer", "hey Kimmy", "a little glimmer", "hey, give me her", "hey, listen", "hey there",
               "glimmer", "my glimmer", "hey Emma", "hey dimmer", "okay, Jim")
CONFUSABLES_HARD = ("hey, give me her", "hey, gimme her", "hey, trimmer", "hey, simmer", "hey, climber",
                    "hey, glimpse", "hey, Kimmy", "hey, shimmer", "they glimmer", "hey glamour", "hey dimmer",
                    "hey Jimmy", "hey, lemur", "hey, clever", "hey, Glen", "hey, get her", "hey, hammer",
                    "a glimmer", "hey, summer", "hey, listen to her", "okay, glimmer", "hey Emma")
# Other onsets before "glimmer" and other words after "hey" (none of the TEST_ONLY ones).
RHYMES_HEY = ("day", "may", "pay", "way", "bay", "lay", "ray", "stay", "play", "gray", "they", "weigh", "clay",
              "pray", "okay", "obey", "hay", "away", "today", "a", "the", "my", "his", "her", "no")
NEAR_GLIMMER = ("dimmer", "shimmer", "trimmer", "simmer", "skimmer", "Jimmy", "Kimmy", "glamour", "glimpse",
                "climber", "primer", "clever", "hammer", "summer", "dinner", "winner", "glitter", "flicker")
CONFUSABLES_TEST_ONLY = ("hey Timmy", "hey, slimmer", "hey, limber", "say glimmer", "one glimmer",
                         "hey, Glenda", "hey, grammar", "hey, swimmer", "they shimmer")
WORD_LIST = Path("/usr/share/dict/american-english")  # Debian's wamerican (training only)
SOUND_ALIKE_DISTANCE = 2  # phoneme edits from "glimmer"
_PHONEME = re.compile(r"aɪ|aʊ|eɪ|oʊ|ɔɪ|oː|ɑː|ɔː|iː|uː|ɜː|dʒ|tʃ|.")


def _phonemes(ipa: str) -> list[str]:
    return _PHONEME.findall(re.sub("[ˈˌ]", "", ipa))


def _edits(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[:], i
        for j, y in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x != y))
    return row[-1]


@functools.lru_cache(maxsize=1)
def sound_alikes() -> tuple[str, ...]:
    """Dictionary words within SOUND_ALIKE_DISTANCE phonemes of "glimmer" as espeak-ng (en-us) says them
    ("glitter", "dimmer", "clamor", "slipper"...): near misses for training, in every voice. Forms of the
    phrase's word and the bench's TEST_ONLY confusables are left out."""
    if not WORD_LIST.is_file():
        raise SystemExit(f"no word list at {WORD_LIST}: apt-get install wamerican")
    words = [w for w in WORD_LIST.read_text(encoding="utf-8").split() if w.isascii() and w.isalpha()
             and w.islower() and 3 <= len(w) <= 9]
    ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us"], input="".join(f"{w}.\n" for w in words),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    if len(ipa) != len(words):
        raise SystemExit(f"espeak-ng read {len(words)} words as {len(ipa)} lines; cannot pair them")
    target = _phonemes("ɡlˈɪmɚ")
    held_out = {w.split()[-1].strip(",").lower() for w in CONFUSABLES_TEST_ONLY}
    return tuple(w for w, p in zip(words, ipa, strict=True) if _edits(_phonemes(p), target) <= SOUND_ALIKE_DISTANCE
                 and not w.startswith("glimmer") and w not in held_out)


ASSISTANT_PROMPTS = ("Let's notice a glimmer together.", "Tell me about one glimmer from your day.",
                     "That sounds like a real glimmer.", "Take a slow breath, and when you are ready, "
                     "name a small glimmer you noticed.", "I saved that glimmer in your journal.",
                     "Would you like to hear a glimmer from last week?", "Hey, that's a lovely glimmer.")

_SUBJ = ("I", "we", "my sister", "the nurse", "our neighbour", "my grandmother", "the little dog", "you",
         "the old man next door", "my friend Anna", "the children", "everyone at work", "the doctor", "Tom",
         "the woman at the bakery", "my brother", "the cat", "the gardener", "they", "she", "he")
_VERB = ("noticed", "talked about", "remembered", "walked past", "wrote down", "looked at", "found",
         "laughed about", "carried", "painted", "listened to", "cooked", "cleaned", "forgot", "described",
         "bought", "shared", "watched", "planted", "fixed", "read about", "thought about", "asked about")
_OBJ = ("the morning light", "a cup of warm tea", "the rain on the window", "a letter from home",
        "the smell of fresh bread", "a quiet moment", "the birds in the garden", "an old photograph",
        "the evening news", "a long walk by the river", "the soft blanket", "the first snow", "a funny story",
        "the sound of the sea", "a red balloon", "the kitchen table", "a box of old toys", "the bus schedule",
        "the piano lesson", "a bowl of soup", "the train to the city", "the garden gate", "a small candle")
_WHEN = ("this morning", "yesterday", "after lunch", "before bed", "last night", "on the way home",
         "during the break", "on Sunday", "at the hospital", "in the afternoon", "just now", "a while ago")
_GLIMMER = ("I had a glimmer today when {s} {v} {o}.", "That was a real glimmer {w}.",
            "A glimmer can be as small as {o}.", "{S} said the glimmer {w} was {o}.",
            "There was a glimmer of hope {w}.", "The glimmer of {o} made me smile.",
            "My glimmer {w} was {o}.", "Glimmers are small moments, like {o}.",
            "I want to save a glimmer about {o}.", "The lights began to glimmer {w}.",
            "You could see a faint glimmer across the water {w}.", "{S} {v} a glimmer in {o}.")
_PLAIN = ("{S} {v} {o} {w}.", "{W}, {s} {v} {o}.", "Did {s} really {vb} {o} {w}?",
          "I think {s} {v} {o}, and then we went home.", "Hey, {s} {v} {o} {w}.",
          "It was late, so {s} {v} {o} and went to sleep.", "Honestly, {s} never {v} {o}.",
          "Hey, do you remember when {s} {v} {o}?", "Okay, {s} {v} {o} {w}.")
_VB = ("notice", "talk about", "remember", "walk past", "write down", "see", "find", "share", "watch")
_COMMANDS = ("let's do a practice.", "I want to write something down.", "what was my glimmer yesterday?",
             "can we do the breathing exercise?", "I had a good day.", "stop.", "save a glimmer.",
             "play one from last week.", "I can't sleep.", "start the grounding practice.")


def sentences(rng: np.random.Generator, n: int, split: str, glimmer_share: float = 0.4) -> list[str]:
    """n sentences; TRAIN and TEST use disjoint halves of the template lists."""
    half = 0 if split == "train" else 1

    def pick(seq: tuple[str, ...]) -> str:
        part = seq[half::2]
        return part[int(rng.integers(len(part)))]

    out = []
    for _ in range(n):
        tpl = pick(_GLIMMER) if rng.random() < glimmer_share else pick(_PLAIN)
        s = pick(_SUBJ)
        out.append(tpl.format(s=s, S=s[0].upper() + s[1:], v=pick(_VERB), vb=pick(_VB), o=pick(_OBJ),
                              w=pick(_WHEN), W=pick(_WHEN).capitalize()))
    return out


def _speakable(texts: Iterable[str]) -> list[str]:
    """The sentences of 5-18 plain words (letters and light punctuation only) in running text."""
    import re

    out = []
    for text in texts:
        for sent in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 5 <= len(sent.split()) <= 18 and re.fullmatch(r"[A-Za-z ,;'.?!-]+", sent) and sent[0].isupper():
                out.append(sent)
    return out


@functools.lru_cache(maxsize=1)
def docstring_sentences() -> tuple[str, ...]:
    """Plain English sentences from the docstrings of Python's standard library (training text only):
    thousands of varied sentences, the same on every machine with the same Python."""
    import ast
    import sysconfig

    docstrings = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        docstrings += [ast.get_docstring(node) or "" for node in ast.walk(tree)
                       if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
    return tuple(dict.fromkeys(_speakable(docstrings)))


@functools.lru_cache(maxsize=1)
def help_topic_sentences() -> tuple[str, ...]:
    """Plain English sentences from Python's help topics (pydoc_data), minus any also in the docstrings:
    text the wake model never saw, for the bench only."""
    from pydoc_data.topics import topics

    seen = set(docstring_sentences())
    return tuple(s for s in dict.fromkeys(_speakable(topics.values())) if s not in seen)


def near_phrases(rng: np.random.Generator, n: int) -> list[str]:
    """Training negatives shaped like the phrase: "hey" + other words, other words + "glimmer"."""
    words = sorted({w.strip(",.;?!'").lower() for s in docstring_sentences() for w in s.split()} - {""})
    words = [w for w in words if w.isalpha() and "imm" not in w and "glim" not in w and w not in ("say", "one")]
    out = []
    for _ in range(n):
        a, b = (words[int(i)] for i in rng.integers(len(words), size=2))
        out.append((f"Hey, {a} {b}." if rng.random() < 0.5 else f"Hey {a}!") if rng.random() < 0.7
                   else f"{a.capitalize()} glimmer.")
    return out


_MORE_FRAMES = ("She whispered {} and smiled.", "Then {} again, softly.", "{}? Maybe later.", "We heard {} outside.",
                "It sounded like {} to me.", "{} is what he wrote.", "Nobody said {} that night.")


def more_negatives(rng: np.random.Generator, n: int) -> list[str]:
    """More training negatives: a third docstring sentences, a third glimmer-rich everyday sentences, a third
    phrases close to the wake phrase inside other words (never "hay glimmer", which sounds the same)."""
    doc = docstring_sentences()
    near = [*CONFUSABLES, *CONFUSABLES_HARD, *(f"{w} glimmer" for w in RHYMES_HEY if w != "hay"),
            *(f"hey, {w}" for w in (*NEAR_GLIMMER, *sound_alikes()))]
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(doc[int(rng.integers(len(doc)))])
        elif i % 3 == 1:
            out.append(sentences(rng, 1, "train", glimmer_share=0.7)[0])
        else:
            item = near[int(rng.integers(len(near)))] if rng.random() < 0.6 else near_phrases(rng, 1)[0].rstrip(".!")
            frame = _MORE_FRAMES[int(rng.integers(len(_MORE_FRAMES)))]
            text = frame.format(item)
            out.append(text[0].upper() + text[1:])
    return out


def commands(split: str) -> tuple[str, ...]:
    return _COMMANDS[0 if split == "train" else 1::2]
