"""The check-in prompt: ``/进展 KR-3`` without a value, or a reminder's button, answers with a
form pre-filled with the KR's last value and confidence, and a one-tap "no change" that records
the same value again. Feishu shows it as a card form; QQ and WeCom as the command to type."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from teamassist.chat.buttons import command_text
from teamassist.chat.types import Button, ButtonStyle, Form, FormInput, Reply, user_text
from teamassist.i18n import t
from teamassist.okr.cycles import month_day
from teamassist.okr.formulas import num
from teamassist.okr.models import KeyResult, Objective


def last_value(key_result: KeyResult) -> float | None:
    """The value a "no change" check-in repeats: the latest one, else the start."""
    if key_result.current_value is not None:
        return key_result.current_value
    return key_result.start_value


def _last_line(key_result: KeyResult, timezone: str) -> str:
    unit = user_text(key_result.unit) if key_result.unit else ""
    if key_result.last_checkin_at is None:
        return t("okr_card.never", start=num(key_result.start_value), unit=unit)
    local = key_result.last_checkin_at.astimezone(ZoneInfo(timezone)).date()
    confidence = (
        t("okr_card.confidence", confidence=key_result.confidence)
        if key_result.confidence is not None
        else ""
    )
    return t(
        "okr_card.last",
        value=num(key_result.current_value),
        unit=unit,
        day=month_day(local),
        confidence=confidence,
    )


def prompt(key_result: KeyResult, objective: Objective, *, timezone: str) -> Reply:
    """The check-in prompt of ``key_result``."""
    label = f"KR-{key_result.number}"
    command = command_text("okr.progress", label)
    value = last_value(key_result)
    confidence = "" if key_result.confidence is None else str(key_result.confidence)
    keyword = t("okr.word.confidence")
    form = Form(
        command=command,
        submit_label=t("okr_card.submit"),
        inputs=[
            FormInput(name="value", label=t("okr.word.value"), value=num(value)),
            FormInput(name="confidence", label=keyword, value=confidence, keyword=keyword),
            FormInput(name="comment", label=t("okr_card.comment")),
        ],
    )
    buttons = []
    if value is not None:
        same = [num(value), *([keyword, confidence] if confidence else [])]
        buttons.append(
            Button(
                label=t("okr_card.no_change"),
                command=" ".join([command, *same, t("okr_card.no_change_comment")]),
                style=ButtonStyle.DEFAULT,
            )
        )
    return Reply(
        title=t("okr_card.title", kr=label, title=user_text(key_result.title)),
        body=t(
            "okr_card.body",
            objective=f"O-{objective.number}",
            objective_title=user_text(objective.title),
            start=num(key_result.start_value),
            target=num(key_result.target_value),
            unit=user_text(key_result.unit) if key_result.unit else "",
            last=_last_line(key_result, timezone),
            what=t("okr.word.value"),
            example=form.prefilled(),
        ),
        form=form,
        buttons=buttons,
    )


def open_button(key_result: KeyResult) -> Button:
    """A button that asks for ``key_result``'s check-in prompt (on reminders)."""
    label = f"KR-{key_result.number}"
    return Button(
        label=t("okr_card.open", kr=label),
        command=command_text("okr.progress", label),
        style=ButtonStyle.PRIMARY,
    )
