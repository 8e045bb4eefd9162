"""Where a practice's jumps can go round for ever: a cycle among some of its steps."""


def find_cycle(successors: list[set[int]], allowed: list[bool]) -> list[int] | None:
    """Positions of one cycle that only passes through `allowed` steps, in order; None when there is none.

    `successors[i]` are the positions that can follow step i (len(successors) stands for the end).
    """
    size = len(successors)
    state = [0] * size  # 0: not seen, 1: on the current path, 2: no cycle through it
    for start in range(size):
        if not allowed[start] or state[start]:
            continue
        path, pending = [start], [iter(sorted(successors[start]))]
        state[start] = 1
        while path:
            following = next(pending[-1], None)
            if following is None:
                state[path.pop()] = 2
                pending.pop()
            elif following < size and allowed[following] and state[following] != 2:
                if state[following] == 1:
                    return path[path.index(following):]
                state[following] = 1
                path.append(following)
                pending.append(iter(sorted(successors[following])))
    return None
