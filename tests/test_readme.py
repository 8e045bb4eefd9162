"""The README's example practice is real: it passes the same validation as any practice file."""

import re
from pathlib import Path

from assistant.practices.schema import parse_practice

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_example_practice_is_valid():
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no yaml example"
    practice = parse_practice(blocks[0], "README.md")
    assert practice.name == "evening"
    kinds = {type(step).__name__ for step in practice.steps}
    assert {"Say", "Pause", "Listen", "Capture", "Rate", "Choose", "Chime"} <= kinds
