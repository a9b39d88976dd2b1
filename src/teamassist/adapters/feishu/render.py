"""Render a neutral :class:`Reply` as a Feishu interactive card (card JSON 2.0)."""

from __future__ import annotations

from typing import Any

from teamassist.chat.render import escape_markup, neutralize_tags, plain, render_text
from teamassist.chat.types import Button, ButtonStyle, Form, FormInput, Person, Reply
from teamassist.enums import Platform

# The callback value of a button: {"cmd": "/签到"}; the card callback runs it as the presser.
COMMAND_KEY = "cmd"
# A form's submit button adds the inputs' names and keywords: {"cmd": "/进展 KR-3",
# "form": [["value", ""], ["confidence", "信心"]]}; the callback's form_value fills them in.
FORM_KEY = "form"
_BUTTON_TYPES = {
    ButtonStyle.PRIMARY: "primary",
    ButtonStyle.DEFAULT: "default",
    ButtonStyle.DANGER: "danger",
}


def mention(person: Person) -> str:
    """A native @mention when the person is known on Feishu, else their name."""
    open_id = person.identities.get(Platform.FEISHU.value)
    return f"<at id={open_id}></at>" if open_id else "@" + escape_markup(person.name)


def _text(value: str, reply: Reply) -> str:
    """Card markdown of ``value``: user text inert, the product's mentions native."""
    return render_text(value, reply.people, mention, escape_markup, neutralize_tags)


def markdown(reply: Reply) -> str:
    """The reply's body and fields as card markdown, mentions rendered natively."""
    parts: list[str] = []
    if reply.quote:
        quoted = escape_markup(plain(reply.quote).replace("\n", " ")[:200])
        parts.append(f"<font color='grey'>「{quoted}」</font>")
    if reply.body:
        parts.append(_text(reply.body, reply))
    if reply.fields:
        parts.append(
            "\n".join(f"**{_text(f.label, reply)}**：{_text(f.value, reply)}" for f in reply.fields)
        )
    return "\n\n".join(parts)


def button(item: Button) -> dict[str, Any]:
    """One card button whose callback carries the command."""
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": plain(item.label)},
        "type": _BUTTON_TYPES.get(item.style, "default"),
        "behaviors": [{"type": "callback", "value": {COMMAND_KEY: item.command}}],
    }


def _button_row(buttons: list[Button]) -> dict[str, Any]:
    return {
        "tag": "column_set",
        "flex_mode": "flow",
        "horizontal_spacing": "small",
        "columns": [{"tag": "column", "width": "auto", "elements": [button(b)]} for b in buttons],
    }


def form(item: Form) -> dict[str, Any]:
    """A card form: one input per field, pre-filled, and a submit button whose callback
    carries the command and the inputs' keywords (the form's values come with the callback)."""
    inputs: list[dict[str, Any]] = [
        {
            "tag": "input",
            "name": field.name,
            "label": {"tag": "plain_text", "content": plain(field.label)},
            "label_position": "left",
            "default_value": field.value,
            "width": "fill",
            "max_length": 200,
        }
        for field in item.inputs
    ]
    submit = {
        "tag": "button",
        "name": "submit",
        "text": {"tag": "plain_text", "content": plain(item.submit_label)},
        "type": "primary",
        "form_action_type": "submit",
        "behaviors": [
            {
                "type": "callback",
                "value": {
                    COMMAND_KEY: item.command,
                    FORM_KEY: [[field.name, field.keyword] for field in item.inputs],
                },
            }
        ],
    }
    return {"tag": "form", "name": "form", "elements": [*inputs, submit]}


def form_command(value: dict[str, Any], filled: Any) -> str | None:
    """The command a submitted form stands for (None when the callback is not a form's)."""
    command, names = value.get(COMMAND_KEY), value.get(FORM_KEY)
    if not isinstance(command, str) or not isinstance(names, list) or not isinstance(filled, dict):
        return None
    inputs = [
        FormInput(name=str(pair[0]), label="", keyword=str(pair[1]))
        for pair in names
        if isinstance(pair, list) and len(pair) == 2
    ]
    values = {k: str(v) for k, v in filled.items() if isinstance(v, str | int | float)}
    return Form(command=command, inputs=inputs, submit_label="").command_for(values)


def card(reply: Reply, *, result: Reply | None = None) -> dict[str, Any]:
    """The card for ``reply``; ``result`` (a button's answer) is appended below a divider and
    replaces the form and buttons unless it opens a form itself."""
    elements: list[dict[str, Any]] = []
    text = markdown(reply)
    if text:
        elements.append({"tag": "markdown", "content": text})
    # Answered by an action (no form opened in place): the buttons give way to the result, so
    # the card cannot be pressed twice. A button that opened a form keeps its siblings.
    if reply.buttons and (result is None or result.form is not None):
        elements.append(_button_row(reply.buttons))
    if reply.form is not None and result is None:  # answered: the form is not offered again
        elements.append(form(reply.form))
    if result is not None:
        elements.append({"tag": "hr"})
        result_text = "\n\n".join(
            p
            for p in (
                f"**{_text(result.title, result)}**" if result.title else "",
                markdown(result),
            )
            if p
        )
        elements.append({"tag": "markdown", "content": result_text or "✓"})
        # A button that asked for a form (a reminder's "登记 KR-3") shows it in place.
        if result.form is not None:
            elements.append(form(result.form))
            if result.buttons:
                elements.append(_button_row(result.buttons))
    if not elements:
        elements.append({"tag": "markdown", "content": " "})
    body: dict[str, Any] = {
        "schema": "2.0",
        "config": {"update_multi": True, "width_mode": "fill"},
        "body": {"elements": elements},
    }
    if reply.title:
        body["header"] = {
            "title": {"tag": "plain_text", "content": plain(reply.title)},
            "template": "red" if reply.is_error else "blue",
        }
    return body


def summary(reply: Reply, limit: int = 60) -> str:
    """A one-line plain text of the reply, for toasts."""
    from teamassist.chat.render import to_plain

    line = " ".join(to_plain(reply.model_copy(update={"buttons": []})).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
