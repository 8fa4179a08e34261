"""How much a down/up schedule saves: hours off per week and dollars per month, with a weekly chart.

Only weekly EventBridge cron expressions are understood (day-of-month ``?``/``*``, month and year
``*``), which is what a study or office schedule is; anything else is a clear usage error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTROL_PLANE_PER_HOUR = 0.10
HOURS_PER_MONTH_FACTOR = 52 / 12  # weeks per month
# On-demand Linux prices, us-east-1, USD per hour; pass --node-price for anything else.
NODE_PRICES: dict[str, float] = {
    "t3.small": 0.0208,
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "t3.xlarge": 0.1664,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m6i.large": 0.096,
    "c5.large": 0.085,
}
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
# EventBridge numbers days 1-7 from Sunday.
_DOW_NUMBERS = {"1": "SUN", "2": "MON", "3": "TUE", "4": "WED", "5": "THU", "6": "FRI", "7": "SAT"}
_CRON = re.compile(r"\s*cron\((.*)\)\s*")
WEEK_MINUTES = 7 * 24 * 60


class ScheduleError(ValueError):
    pass


def _expand(field: str, low: int, high: int, what: str) -> list[int]:
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, raw_step = part.split("/", 1)
            if not raw_step.isdigit() or int(raw_step) == 0:
                raise ScheduleError(f"bad step in {what}: {field!r}")
            step = int(raw_step)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            if not (a.isdigit() and b.isdigit()):
                raise ScheduleError(f"bad range in {what}: {field!r}")
            start, end = int(a), int(b)
        elif part.isdigit():
            start = int(part)
            end = start if step == 1 else high
        else:
            raise ScheduleError(f"bad {what}: {field!r}")
        if not (low <= start <= high and low <= end <= high and start <= end):
            raise ScheduleError(f"{what} out of range: {field!r}")
        values.update(range(start, end + 1, step))
    return sorted(values)


def _day_index(token: str) -> int:
    name = _DOW_NUMBERS.get(token, token.upper())
    if name not in DAYS:
        raise ScheduleError(f"bad day of week: {token!r}")
    return DAYS.index(name)


def _days(field: str) -> list[int]:
    if field in ("*", "?"):
        return list(range(7))
    days: set[int] = set()
    for part in field.split(","):
        if "-" in part:
            a, b = (_day_index(x) for x in part.split("-", 1))
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(_day_index(part))
    return sorted(days)


def fire_minutes(expression: str) -> list[int]:
    """Minutes of the week (0 = Monday 00:00) at which the expression fires."""
    match = _CRON.fullmatch(expression)
    if not match:
        raise ScheduleError(f"expected cron(...), got {expression!r}")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"cron() needs 6 fields (min hour day month weekday year): {expression!r}")
    minutes, hours, dom, month, dow, year = fields
    if dom not in ("?", "*") or month != "*" or year not in ("*", "?"):
        raise ScheduleError(
            f"only weekly schedules are supported (day-of-month ?, month *, year *): {expression!r}"
        )
    return sorted(
        day * 1440 + hour * 60 + minute
        for day in _days(dow)
        for hour in _expand(hours, 0, 23, "hours")
        for minute in _expand(minutes, 0, 59, "minutes")
    )


@dataclass(frozen=True)
class Savings:
    off_minutes: tuple[bool, ...]  # one flag per minute of the week
    node_type: str
    nodes: int
    node_price: float

    @property
    def hours_off_per_week(self) -> float:
        return sum(self.off_minutes) / 60

    @property
    def hourly_cost(self) -> float:
        return CONTROL_PLANE_PER_HOUR + self.nodes * self.node_price

    @property
    def monthly_savings(self) -> float:
        return self.hours_off_per_week * HOURS_PER_MONTH_FACTOR * self.hourly_cost

    @property
    def monthly_cost_always_on(self) -> float:
        return 168 * HOURS_PER_MONTH_FACTOR * self.hourly_cost

    def chart(self) -> str:
        """One row per day, one cell per hour: '#' up, '.' down (the state for most of that hour)."""
        header = "      " + "".join(f"{h:<3d}" for h in range(0, 24, 3)).rstrip()
        rows = [header]
        for day, name in enumerate(DAYS):
            cells = []
            for hour in range(24):
                start = day * 1440 + hour * 60
                off = sum(self.off_minutes[start : start + 60])
                cells.append("." if off >= 30 else "#")
            rows.append(f"{name.title():<5} " + "".join(cells))
        rows.append("      # up   . down")
        return "\n".join(rows)


def compute(
    down: str, up: str, *, node_type: str = "t3.medium", nodes: int = 2, node_price: float | None = None
) -> Savings:
    if nodes < 0:
        raise ScheduleError("--nodes must be zero or more")
    if node_price is None:
        if node_type not in NODE_PRICES:
            known = ", ".join(sorted(NODE_PRICES))
            raise ScheduleError(f"no built-in price for {node_type!r} (known: {known}); pass --node-price")
        node_price = NODE_PRICES[node_type]
    events = sorted([(m, "down") for m in fire_minutes(down)] + [(m, "up") for m in fire_minutes(up)])
    if not events:
        raise ScheduleError("the schedules never fire")
    # The state entering the week is the last event of the previous week.
    state = events[-1][1]
    off: list[bool] = []
    queue = iter(events)
    upcoming = next(queue, None)
    for minute in range(WEEK_MINUTES):
        while upcoming is not None and upcoming[0] == minute:
            state = upcoming[1]
            upcoming = next(queue, None)
        off.append(state == "down")
    return Savings(tuple(off), node_type, nodes, node_price)
