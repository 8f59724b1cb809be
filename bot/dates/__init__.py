"""Read due dates written in English or Chinese.

`parse_due` turns a phrase ("by Fri 5pm", "明天下午3点") or a whole request
text into an aware datetime in the writer's time zone, or None. `read_due`
says more: whether the text holds no date phrase, a date phrase naming no
real day ("2月30日"), or a weekday that disagrees with the date beside it
("Thu 12/18"), so that the command can refuse instead of guessing.

The rules are SPEC.md's "Decisions → Dates and times"; each reader notes
the choices it makes where the spec is silent. Work days come from the
target department's :class:`~bot.calendar.WorkCalendar`.

The package, from the outside in:

- `reading`: `read_due`, `parse_due` and their result type;
- `scan`: normalising the text, finding terms, grouping them into phrases;
- `numeric`, `chinese`, `english`: the readers, one regular expression and
  one builder per form, compiled once at import;
- `resolve`: a phrase and the writer's clock and the calendar -> an instant;
- `fallback`: dateparser, lazily imported, for English the readers miss;
- `terms`: the terms phrases are made of, and helpers the readers share.
"""

from bot.dates.reading import DueReading, DueStatus, parse_due, read_due

__all__ = ["DueReading", "DueStatus", "parse_due", "read_due"]
