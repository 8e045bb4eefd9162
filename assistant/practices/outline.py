"""A practice as readable text: what it says, asks and keeps, step by step (for `glimmer practices show`)."""

from assistant.practices.schema import Capture, Chime, Choose, Listen, Pause, Practice, Rate, Say, Step


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
        lines.append(f"{number:>3}. {label}{when}{_describe(step)}")
        if step.goto:
            lines.append(f"       then: {step.goto}")
    return lines


def _describe(step: Step) -> str:
    if isinstance(step, Say):
        return f"say: {step.text}"
    if isinstance(step, Pause):
        return f"pause {step.seconds:g} s" + (f" (announced: {step.announce})" if step.announce else "")
    if isinstance(step, Listen):
        paths = [f"silence -> {step.on_silence}" if step.on_silence else "",
                 f"nothing -> {step.on_nothing}" if step.on_nothing else ""]
        extra = "; ".join(p for p in paths if p)
        return f"listen: {step.text} -> keeps {step.keep}" + (f" ({extra})" if extra else "")
    if isinstance(step, Capture):
        senses = f" [{', '.join(step.senses)}]" if step.senses else ""
        check = (f", read back ({step.read_back_text}) with change it or undo" if step.correct else "") + \
            (f"; undo -> {step.on_undo}" if step.on_undo else "")
        return f"capture {step.value} into the journal{senses}{check}"
    if isinstance(step, Rate):
        return f"rate 0-10: {step.text} -> keeps {step.keep}"
    if isinstance(step, Choose):
        options = "; ".join(f"{o.label} -> {o.goto}" + (f" (if {o.when})" if o.when else "") for o in step.options)
        default = f"; otherwise -> {step.default}" if step.default else ""
        return f"choose: {step.text} [{options}{default}]"
    assert isinstance(step, Chime)
    return f"chime: {step.name}"
