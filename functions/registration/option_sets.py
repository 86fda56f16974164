"""Which options an identity question shows, so that no option is more likely than another (decision 0026).

A question shows `options - 1` values drawn from the population of true answers, plus "Ninguna de las
anteriores". Given any option set, each shown value and "none of the above" is the right answer with the same
probability, 1/options, for anyone who knows the population (the attacker's best public prior): the right
answer is neither "the one that does not fit" nor "the most common one".

The design (a conditional probability-proportional-to-size sample):

- every value i of the population, of share p_i, is in the shown set with probability pi_i, the sets being
  drawn by randomized systematic sampling (random order, random start), which keeps each pi_i exact;
- the right answer t is shown with probability a_t and hidden (answer "none of the above") otherwise: shown,
  the set is drawn among those holding t; hidden, among those without it. People with no value (no employer
  on record) or a value outside the population always answer "none", over a set drawn like anyone's.

With delta = max(1/options, p_none), gamma = (1 - delta) / shown and c = (delta - p_none) / (N - shown),
pi_i = (p_i - c) / (gamma - c) and a_i = gamma * pi_i / p_i make P(right = i | set) = gamma for every shown
value and P(right = none | set) = delta. When p_none exceeds 1/options (adults with no employer) nothing can
do better than delta for "none"; the shown values then share the rest equally. Shares outside [c, gamma] are
first mixed with the uniform distribution, just enough to fit. A population with fewer values than options
shows all of them but one (a single value is shown with "none").
"""

import bisect
import random
from collections.abc import Mapping
from dataclasses import dataclass

_EPSILON = 1e-12


@dataclass(frozen=True)
class Design:
    values: tuple[str, ...]
    inclusion: tuple[float, ...]  # pi_i: probability that value i is in the shown set; they add up to `shown`
    show_truth: tuple[float, ...]  # a_i: probability that the right answer i is shown (else "none" is right)
    shown: int
    share_of_none: float  # delta: probability that "none of the above" is right, whatever the set


def solve(weights: Mapping[str, float], none_weight: float, options: int) -> Design:
    """The design for a population (weight per value, weight of "no value") and a number of options."""
    positive = {value: float(weight) for value, weight in weights.items() if weight > 0}
    total = sum(positive.values()) + max(0.0, float(none_weight))
    values = tuple(sorted(positive))
    if not values or total <= 0:
        return Design((), (), (), 0, 1.0)
    p_none = max(0.0, float(none_weight)) / total
    count = len(values)
    if count == 1:  # nothing to hide it among: the value and "none of the above"
        return Design(values, (1.0,), (1.0,), 1, p_none)
    # Fewer values than options (the five pension funds, the few years a young adult could have joined in):
    # one of them is left out, so that "none of the above" can be the answer for anybody.
    options = min(options, count)
    shown = options - 1
    delta = max(1.0 / options, p_none)
    gamma = (1.0 - delta) / shown
    floor = (delta - p_none) / (count - shown)
    shares = [positive[value] / total for value in values]
    uniform = (1.0 - p_none) / count
    mix = 0.0
    for share in shares:  # the least mixing with the uniform shares that fits every share in [floor, gamma]
        if share > gamma + _EPSILON:
            mix = max(mix, (share - gamma) / (share - uniform))
        elif share < floor - _EPSILON:
            mix = max(mix, (floor - share) / (uniform - share))
    mixed = [(1.0 - mix) * share + mix * uniform for share in shares]
    if gamma - floor <= _EPSILON:  # exactly options values and nobody without one: the uniform design
        inclusion = [shown / count] * count
    else:
        inclusion = [min(1.0, max(0.0, (share - floor) / (gamma - floor))) for share in mixed]
    scale = shown / sum(inclusion)
    inclusion = [min(1.0, value * scale) for value in inclusion]
    show_truth = [min(1.0, gamma * pi / share) for pi, share in zip(inclusion, mixed, strict=True)]
    return Design(values, tuple(inclusion), tuple(show_truth), shown, delta)


def draw(design: Design, truth: str | None, rng: random.Random) -> tuple[list[str], bool]:
    """(the values shown, whether the right answer is among them) for a person whose answer is `truth`
    (None: no value). `rng` decides everything, so a seeded rng gives the same set every time."""
    if design.shown == 0:
        return [], False
    count = len(design.values)
    if count == design.shown:
        return list(design.values), truth in design.values
    order = rng.sample(range(count), count)
    starts: list[float] = []
    position = 0.0
    for index in order:
        starts.append(position)
        position += design.inclusion[index]
    scale = design.shown / position  # guards the float sum: the points below must stay inside [0, shown)
    starts = [start * scale for start in starts]
    sizes = [design.inclusion[index] * scale for index in order]
    if truth in design.values:
        at = order.index(design.values.index(truth))
        if rng.random() < design.show_truth[order[at]]:
            start = (starts[at] + rng.random() * sizes[at]) % 1.0  # a point inside the truth's interval
        else:  # a point outside it: the complement, starting where the interval ends
            start = (starts[at] + sizes[at] + rng.random() * (1.0 - sizes[at])) % 1.0
    else:
        start = rng.random()
    chosen = []
    for step in range(design.shown):
        point = min(start + step, design.shown - _EPSILON)
        chosen.append(order[bisect.bisect_right(starts, point) - 1])
    picked = [design.values[index] for index in chosen]
    return picked, truth in picked
