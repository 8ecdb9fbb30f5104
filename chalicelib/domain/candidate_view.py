"""What a candidate may see of an item.

Built from an explicit allow-list rather than by removing secret fields from
the item: a field added to `Item` tomorrow (a new solution form, a note for
authors) stays private until someone decides to show it. Never included:
solutions, groups, tolerances, calibration, tutorial, level, skill, tube.

Illustrations and attachments are given by their content-addressed public
name only (`ItemFile.name`, a hash of the bytes), never by the author's file
name: `assets/tri-par-date-reponse-marc.csv` would be a cue. The download name
is neutral too (`pj-<8 hex>.csv`).

Proposals carry opaque ids and come in an order, both keyed to the test
(`ChoiceIds`, see domain/choice_ids.py): the same candidate sees the same ids
and order again on reload, two candidates side by side see different ones, and
neither the ids nor the order tell the proposal's position in the item file.
"""
from __future__ import annotations

from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.items import Item, ItemFile

VIEW_KEYS = ("id", "type", "instruction", "proposals", "fields", "timer", "focused",
             "locales", "illustration_alt", "accessible", "illustration", "attachment")
FILES_PATH = "pj/"  # "pièces jointes", relative to the site root (front and API share one origin).
# Kept shorter than any answer the leak tests look for: a word of the path
# (say "item") may be an accepted answer of some item.


def candidate_view(item: Item, choice_ids: ChoiceIds) -> dict:
    view: dict = {
        "id": item.id,
        "type": item.type.value,
        "instruction": item.instruction,
        "timer": item.timer,
        "focused": item.focused,
        "locales": list(item.locales),
        "illustration_alt": item.illustration_alt,
        "accessible": item.accessible,
        "illustration": ({"url": file_url(item.illustration), "alt": item.illustration.text}
                         if item.illustration else None),
        "attachment": ({"url": file_url(item.attachment), "title": item.attachment.text,
                        "format": item.attachment.label, "size": item.attachment.size,
                        "filename": download_name(item.attachment)}
                       if item.attachment else None),
    }
    if item.type.is_choice:
        ids = choice_ids.ids(item)
        view["proposals"] = [{"id": ids[i - 1], "text": item.proposals[i - 1]}
                             for i in choice_ids.order(item)]
    else:
        # `unit`: number fields only, shown beside the input (None: "nombre seul")
        view["fields"] = [{"key": f.key, "label": f.label, "kind": f.kind,
                           **({"unit": f.unit} if f.kind == "number" else {})}
                          for f in item.fields]
    return view



def file_url(item_file: ItemFile) -> str:
    return FILES_PATH + item_file.name


def download_name(item_file: ItemFile) -> str:
    """What the browser saves the file as: neutral, distinct per file."""
    stem, ext = item_file.name.rsplit(".", 1)
    return f"pj-{stem[:8]}.{ext}"


def opens_behind_warning(item: Item) -> bool:
    """Timed and focused items open behind a warning screen: the learner
    learns the time allowed (or that leaving the page counts) before seeing
    the question, and the clock starts when they choose to start it."""
    return bool(item.timer) or item.focused


def warning_view(item: Item) -> dict:
    """What may be seen of such an item before it is started: what the
    warning screen says, nothing of the question (no text, no proposals), so
    reading it ahead of the clock is impossible rather than merely hidden."""
    return {"id": item.id, "type": item.type.value, "timer": item.timer, "focused": item.focused,
            "start_required": True}
