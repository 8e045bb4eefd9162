"""A practice as readable text: what it says, asks and keeps, step by step (for `glimmer practices show`)."""

from assistant.practices.kinds import kind_of
from assistant.practices.steps import Practice


def outline(practice: Practice) -> list[str]:
    """Header lines, then one line per step with its id, condition and where it goes next."""
    lines = [f"{practice.title} ({practice.name}, about {practice.minutes:g} min)", practice.description]
    if practice.tags:
        lines.append(f"tags: {', '.join(practice.tags)}")
    lines.append(f"file: {practice.source}")
    lines.append("")
    for number, step in enumerate(practice.steps, 1):
        label = f"[{step.id}] " if step.id else ""
        when = f"(if {step.when}) " if step.when else ""
        lines.append(f"{number:>3}. {label}{when}{kind_of(step).describe(step)}")
        if step.goto:
            lines.append(f"       then: {step.goto}")
    return lines
