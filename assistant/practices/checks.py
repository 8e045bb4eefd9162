"""Checks across a practice's steps, once each step has been read: ids, jumps, names, and endless loops."""

from assistant.practices.graph import find_cycle
from assistant.practices.kinds import Gathered, kind_of
from assistant.practices.reader import FieldReader, suggest
from assistant.practices.steps import CONTEXT_NAMES, END, Step
from assistant.speech.textprep import pause_problems

TEXT_FIELDS = ("text", "reask", "announce", "read_back")  # the fields that are spoken, wherever a kind has them


def cross_check(reader: FieldReader, steps: list[Step]) -> None:
    """Ids unique, jumps land on real steps, names used are gathered somewhere."""
    ids: dict[str, int] = {}
    for step in steps:
        if step.id is None:
            continue
        if step.id == END:
            reader.error(step.line, f"'{END}' is reserved for finishing; choose another id")
        elif step.id in ids:
            reader.error(step.line, f"duplicate step id '{step.id}' (first used on line {ids[step.id]})")
        else:
            ids[step.id] = step.line
    gathered = _gathered(steps)
    for step in steps:
        for target in (step.goto, *kind_of(step).jumps(step)):
            if target and target != END and target not in ids:
                reader.error(step.line, f"jump to unknown step '{target}'{suggest(target, ids)}")
        names = [step.when, *(o.when for o in getattr(step, "options", ()))]
        for text in (getattr(step, name, None) for name in TEXT_FIELDS):
            if text:
                names += reader.placeholder_names(text, step.line)
                for problem in pause_problems(text):
                    reader.error(step.line, problem)
        for name in names:
            if name is not None and name not in gathered.kept:
                reader.error(step.line,
                             f"'{name}' is not gathered by any step (keep: {name}){suggest(name, gathered.kept)}")
        for problem in kind_of(step).check(step, gathered):
            reader.error(step.line, problem)


def silent_loops(reader: FieldReader, steps: list[Step]) -> None:
    """A loop must hold a moment that always listens, where "stop" is heard; else it runs for ever."""
    position = {s.id: i for i, s in enumerate(steps) if s.id} | {END: len(steps)}
    successors = [_successors(steps, i, position) for i in range(len(steps))]
    loop = find_cycle(successors, [not _always_listens(s) for s in steps])
    if loop is not None:
        lines = sorted(steps[i].line for i in loop)
        what = f"the steps on lines {', '.join(map(str, lines))} loop" if len(lines) > 1 else \
            f"the step on line {lines[0]} loops"
        reader.error(lines[0], f"{what} with no listen, rate, choose or pause in between, so 'stop' could "
                               "never be heard; add one or end the loop")


def _gathered(steps: list[Step]) -> Gathered:
    keeps = [(kind_of(s).gathers, getattr(s, "keep", None)) for s in steps]
    return Gathered(kept={keep for what, keep in keeps if what and keep} | set(CONTEXT_NAMES),
                    answers={keep for what, keep in keeps if what == "answer" and keep},
                    ratings={keep for what, keep in keeps if what == "rating" and keep})


def _successors(steps: list[Step], index: int, position: dict[str, int]) -> set[int]:
    """Positions that can follow steps[index], as the runner moves: len(steps) is the end."""
    step = steps[index]
    kind = kind_of(step)
    outcomes = [None, *kind.jumps(step)] if kind.falls_through else list(kind.jumps(step))  # None: its goto
    following = {index + 1} if step.when else set()  # skipped when its value is missing
    for target in outcomes:
        target = target or step.goto
        following.add(position.get(target, len(steps)) if target else index + 1)
    return following


def _always_listens(step: Step) -> bool:
    """True for a step that listens whenever it is reached (no `when`, no placeholder that can leave it out)."""
    return not step.when and kind_of(step).listens(step)
