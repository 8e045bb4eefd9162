"""Practice files: every problem named by file and line, plain YAML only, the built-ins valid."""

import random
import textwrap

import pytest

from assistant.config import PracticesSettings
from assistant.practices.library import BUILTIN_DIR, PracticeLibrary, practice_files
from assistant.practices.schema import PracticeError, load_practice, parse_practice
from assistant.practices.steps import Choose, Listen

GOOD = """\
name: tiny
title: Tiny
description: A tiny practice.
minutes: 1
steps:
  - say: Hello.
  - listen: What's one small okay moment?
    keep: glimmer
    on_silence: close
  - capture: glimmer
    sense: [sight, sound]
  - id: close
    chime: done
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PracticeError) as caught:
        parse_practice(textwrap.dedent(text), "p.yaml")
    return [str(issue) for issue in caught.value.issues]


def test_a_good_practice_loads_with_its_steps():
    practice = parse_practice(GOOD, "p.yaml")
    assert practice.name == "tiny" and len(practice.steps) == 4
    listen = practice.steps[1]
    assert isinstance(listen, Listen) and listen.keep == "glimmer" and listen.timeout == 10.0
    assert practice.steps[2].senses == ("sight", "sound")
    assert practice.steps[1].line == 7


@pytest.mark.parametrize("text, expected", [
    ("name: x\nsteps: [\n  - say: 'a\n", "p.yaml:3: not valid YAML"),
    (GOOD.replace("  - say: Hello.", "  - speak: Hello."), "p.yaml:6: unknown step type 'speak'"),
    (GOOD.replace("description: A tiny practice.\n", ""), "p.yaml:1: missing 'description'"),
    (GOOD.replace("    keep: glimmer\n", ""), "p.yaml:7: missing 'keep'"),
    (GOOD.replace("minutes: 1", "minutes: 90"), "p.yaml:4: 'minutes' 90 is outside"),
    (GOOD.replace("  - say: Hello.", "  - pause: 120"), "p.yaml:6: 'pause' 120 is outside 1 .. 60"),
    (GOOD.replace("  - say: Hello.", "  - pause: soon"), "p.yaml:6: 'pause' must be a number"),
    (GOOD.replace("  - say: Hello.", "  - say: Hello. [pause 100000] Goodbye."),
     "p.yaml:6: '[pause 100000]' is outside 1 .. 60 seconds"),
    (GOOD.replace("    on_silence: close", "    on_silence: close\n    reask: Take a moment [pause 0.5s]."),
     "p.yaml:7: '[pause 0.5s]' is outside 1 .. 60 seconds"),
    (GOOD.replace("sense: [sight, sound]", "sense: smellz"), "p.yaml:11: unknown sense 'smellz'"),
    (GOOD.replace("chime: done", "chime: bong"), "p.yaml:13: unknown chime 'bong'"),
    (GOOD.replace("on_silence: close", "on_silence: nowhere"), "p.yaml:7: jump to unknown step 'nowhere'"),
    (GOOD.replace("  - say: Hello.", "  - id: close\n    say: Hello."),
     "duplicate step id 'close' (first used on line 6)"),
    (GOOD.replace("  - say: Hello.", "  - say: Hello {friend}."), "p.yaml:6: 'friend' is not gathered by any step"),
    (GOOD.replace("  - say: Hello.", "  - say: Hello {glimmer.__class__}."), "is not a placeholder"),
    (GOOD.replace("  - capture: glimmer", "  - capture: glimer"), "no listen step keeps it; did you mean 'glimmer'?"),
    (GOOD.replace("title: Tiny", "title: Tiny\ncolour: blue"), "p.yaml:3: unknown practice field 'colour'"),
    (GOOD.replace("    on_silence: close", "    on_silence: close\n    timeout: 3"), "'timeout' 3 is outside 8 .. 60"),
    (GOOD.replace("  - say: Hello.", "  - say: Hello.\n    pause: 3"), "one step has two types (say and pause)"),
    (GOOD.replace("  - say: Hello.", "  - rate: How calm?\n    keep: calm"), "says both ends of the scale"),
    (GOOD.replace("  - say: Hello.", "  - say: Hello.\n    say: Again."), "p.yaml:7: duplicate key 'say'"),
    (GOOD.replace("name: tiny", "name: Tiny One"), "p.yaml:1: name 'Tiny One'"),
    ("", "p.yaml:1: empty file"),
    ("- just\n- a list\n", "p.yaml:1: the practice must be a mapping"),
    (GOOD.replace("  - say: Hello.", "  - &a say: Hello.\n  - say: *a"), "anchors and aliases"),
    (GOOD.replace("minutes: 1", "minutes: !!int x"), "p.yaml:4: 'x' cannot be read as !!int"),
    (GOOD.replace("    sense: [sight, sound]", "    correct: maybe"), "p.yaml:11: 'correct' must be yes or no"),
    (GOOD.replace("    sense: [sight, sound]", "    correct: no\n    read_back: Kept {glimmer}."),
     "p.yaml:12: 'read_back' is spoken only with correct: yes"),
    (GOOD.replace("    sense: [sight, sound]", "    read_back: Kept it."), "p.yaml:11: 'read_back' reads the words "
                                                                          "back: put {glimmer} in it"),
    (GOOD.replace("    sense: [sight, sound]", "    read_back: Kept {glimmer} {when}."), "p.yaml:10: 'when' is not "
                                                                                       "gathered by any step"),
    (GOOD.replace("    sense: [sight, sound]", "    on_undo: clos"), "p.yaml:10: jump to unknown step 'clos'; did "
                                                                     "you mean 'close'?"),
])
def test_each_kind_of_error_names_file_and_line(text, expected):
    assert any(expected in line for line in problems(text)), problems(text)


def test_capture_options_read_back_correct_and_on_undo():
    practice = parse_practice(GOOD.replace("    sense: [sight, sound]", "    correct: no"), "p.yaml")
    assert practice.steps[2].correct is False
    practice = parse_practice(GOOD.replace("    sense: [sight, sound]",
                                           "    read_back: Kept {glimmer}.\n    on_undo: close"), "p.yaml")
    assert (practice.steps[2].correct, practice.steps[2].read_back_text, practice.steps[2].on_undo) == \
        (True, "Kept {glimmer}.", "close")
    assert parse_practice(GOOD, "p.yaml").steps[2].read_back_text == "Thank you. I've kept your words: {glimmer}."


def test_choose_needs_two_or_three_options_and_real_targets():
    text = GOOD.replace("  - say: Hello.", textwrap.indent(textwrap.dedent("""\
        - choose: Which?
          options:
            - {label: a, goto: close}
            - {label: b, goto: close}
            - {label: c, goto: close}
            - {label: d, goto: close}
        - choose: Again?
          options:
            - {label: "yes", goto: close}
            - {label: no, goto: elsewhere}
        """), "  ").rstrip("\n"))
    found = problems(text)
    assert any(":7: 'options' must be a list of 2 or 3" in p for p in found), found
    assert any(":12: jump to unknown step 'elsewhere'" in p for p in found), found


LOOP_HEAD = "name: loop\ntitle: Loop\ndescription: Round and round.\nminutes: 1\nsteps:\n"


@pytest.mark.parametrize("steps, loop_lines", [
    ("  - id: a\n    say: Hello.\n    goto: b\n  - say: Never.\n  - id: b\n    say: Bye.\n    goto: a\n", [6, 10]),
    ("  - id: a\n    say: Again.\n  - listen: More?\n    keep: more\n    when: more\n    goto: a\n", [6, 8]),
    ("  - listen: What?\n    keep: x\n  - id: a\n    rate: '{x}: zero to ten?'\n    keep: r\n    goto: a\n", [8]),
    ("  - id: a\n    say: Once more.\n    when: replay\n    goto: a\n", [6]),
    ("  - id: a\n    say: Hello.\n  - pause: 5\n    goto: a\n", None),
    ("  - id: a\n    say: Hello.\n  - listen: Anything else?\n    keep: more\n    on_nothing: end\n    goto: a\n",
     None),
    ("  - id: a\n    choose: Again?\n    options:\n      - {label: 'yes', goto: a}\n      - {label: 'no', goto: end}\n",
     None),
])
def test_a_loop_must_hold_a_listening_moment(steps, loop_lines):
    if loop_lines is None:
        parse_practice(LOOP_HEAD + steps, "p.yaml")
        return
    found = problems(LOOP_HEAD + steps)
    what = (f"the steps on lines {', '.join(map(str, loop_lines))} loop" if len(loop_lines) > 1
            else f"the step on line {loop_lines[0]} loops")
    assert found == [f"p.yaml:{loop_lines[0]}: {what} with no listen, rate, choose or pause in between, "
                     "so 'stop' could never be heard; add one or end the loop"], found


def test_unquoted_yes_and_no_labels_are_words():
    text = GOOD.replace("  - say: Hello.", "  - choose: Stay?\n    options:\n      - {label: yes, goto: close}\n"
                                           "      - {label: no, goto: close}")
    choose = parse_practice(text, "p.yaml").steps[0]
    assert isinstance(choose, Choose) and [o.label for o in choose.options] == ["yes", "no"]


def test_all_errors_are_reported_together_in_line_order():
    text = GOOD.replace("chime: done", "chime: bong").replace("minutes: 1", "minutes: 0")
    found = problems(text)
    assert len(found) == 2 and found[0].startswith("p.yaml:4:") and found[1].startswith("p.yaml:13:")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/name:os.system", "!binary"])
def test_python_tags_never_construct_anything(tmp_path, tag):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(GOOD.replace("title: Tiny", f'title: {tag} ["touch {marker}"]'))
    with pytest.raises(PracticeError) as caught:
        load_practice(path)
    assert f"{path}:2: tag" in str(caught.value.issues[0])
    assert not marker.exists()


def test_unreadable_and_non_text_files_are_one_line_errors(tmp_path):
    with pytest.raises(PracticeError, match="missing.yaml: cannot read"):
        load_practice(tmp_path / "missing.yaml")
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PracticeError, match="b.yaml: not UTF-8 text"):
        load_practice(tmp_path / "b.yaml")


def test_builtins_are_valid_and_loaded_with_the_persons_folder(tmp_path):
    names = {load_practice(p).name for p in practice_files(BUILTIN_DIR)}
    assert {"capture", "savor", "ground", "checkin", "body", "integration"} <= names
    (tmp_path / "mine.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").write_text(GOOD.replace("chime: done", "chime: bong"))
    library = PracticeLibrary.load(PracticesSettings(folder=str(tmp_path)))
    assert "tiny" in library.practices and names <= set(library.practices)
    assert not library.is_builtin(library.get("tiny")) and library.is_builtin(library.get("savor"))
    assert [str(p) for p in library.problems] == [f"{tmp_path / 'broken.yaml'}:13: unknown chime 'bong' "
                                                  "(expected one of listening, done, saved, error)"]


def test_cli_check_list_and_show(glimmer, tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(GOOD.replace("  - say: Hello.", "  - speak: Hello."))
    (tmp_path / "evil.yaml").write_text(GOOD.replace("title: Tiny", "title: !!python/object/apply:os.system [id]"))
    (tmp_path / "loop.yaml").write_text(LOOP_HEAD + "  - id: a\n    say: Hello.\n    goto: a\n")
    result = glimmer("practices", "check", "good.yaml", "bad.yaml", "evil.yaml", "nope.yaml", "loop.yaml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "good.yaml: ok (tiny, 4 steps" in result.stdout
    assert "bad.yaml:6: unknown step type 'speak'" in result.stderr
    assert "evil.yaml:2: tag '!!python/object/apply:os.system' is not allowed" in result.stderr
    assert "nope.yaml: cannot read" in result.stderr
    assert "loop.yaml:6: the step on line 6 loops with no listen" in result.stderr
    assert glimmer("practices", "check").returncode == 0
    listed = glimmer("practices", "list")
    assert listed.returncode == 0 and "savor" in listed.stdout and "Savoring a glimmer" in listed.stdout
    shown = glimmer("practices", "show", "capture")
    assert shown.returncode == 0 and "listen: If you like" in shown.stdout
    missing = glimmer("practices", "show", "nonesuch")
    assert missing.returncode == 1 and missing.stderr.startswith("glimmer: no practice named 'nonesuch'")


def test_mangled_builtins_only_ever_raise_practice_errors():
    """Random damage to real practice files (deleted, duplicated, spliced lines) is always reported as
    file:line issues, never as another exception (which `glimmer practices check` would show as a traceback)."""
    rng = random.Random(5)
    sources = [p.read_text() for p in practice_files(BUILTIN_DIR)]
    junk = ["", ":", "- ", "[", "{", "&a ", "*a", "!!python/name:os.system ", "~", "yes", '"', "{x}", "? ", "|"]
    for _ in range(300):
        lines = rng.choice(sources).split("\n")
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(lines))
            cut = rng.randrange(len(lines[k]) + 1)
            action = rng.random()
            if action < 0.3:
                del lines[k]
            elif action < 0.7:
                lines[k] = lines[k][:cut] + rng.choice(junk) + lines[k][cut:]
            else:
                lines.insert(k, rng.choice(lines))
        try:
            parse_practice("\n".join(lines), "m.yaml")
        except PracticeError as err:
            assert all(str(issue).startswith("m.yaml") for issue in err.issues)


def test_check_names_both_files_that_share_a_practice_name(glimmer, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD.replace("title: Tiny", "title: Another tiny"))
    (tmp_path / "ground.yaml").write_text(GOOD.replace("name: tiny", "name: ground"))  # replaces the built-in
    result = glimmer("practices", "check", "a.yaml", "b.yaml", "ground.yaml", str(BUILTIN_DIR))
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["b.yaml:1: name 'tiny' is also used by a.yaml; rename one",
                                          "glimmer: 1 of 11 practice file(s) have problems"]
    assert "a.yaml: ok (tiny" in result.stdout and "ground.yaml: ok (ground" in result.stdout


def test_each_problem_in_the_persons_folder_is_said_once(glimmer, tmp_path):
    folder = tmp_path / "home" / ".config" / "glimmer" / "practices"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text(GOOD.replace("chime: done", "chime: bong"))
    for action in (["list"], ["show", "ground"]):
        result = glimmer("practices", *action)
        assert result.returncode == 0
        assert result.stderr.splitlines() == [f"glimmer: not loaded: {folder / 'broken.yaml'}:13: unknown chime "
                                              "'bong' (expected one of listening, done, saved, error)"]
