"""Make the demo's simulated-microphone turns (demo/turns/*.wav): a person's side of a short session.

The "person" is the hibari voice at another seed and speed than Glimmer's own, so the demo runs the
real wake detector and transcriber on speech. Run again to regenerate: the output is deterministic.
"""

from pathlib import Path

from assistant.audio.wav import write_wav
from scripts.corpus import Synthesizer, spoken_turn

OUT = Path(__file__).resolve().parent.parent / "demo" / "turns"
SEED, SPEED = 11, 0.95

# Each turn is what the microphone hears the next time Glimmer listens.
TURNS = (
    ("01-wake-and-glimmer", ("Hey glimmer.", "The warm light on the kitchen table this morning felt peaceful.")),
    ("02-read-back-quiet", ()),   # nothing to correct: silence after "If I got that wrong, …"
    ("03-linger-yes", ("Yes, please.",)),
    ("04-wake", ("Hey glimmer.",)),
    ("05-play-a-glimmer", ("Play me a glimmer.",)),
)


def main() -> None:
    """Write every turn: the sentences said in one go, with room silence around them."""
    synth = Synthesizer()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, sentences in TURNS:
        write_wav(OUT / f"{name}.wav", spoken_turn(synth, sentences, SEED, SPEED))
        print(OUT / f"{name}.wav")


if __name__ == "__main__":
    main()
