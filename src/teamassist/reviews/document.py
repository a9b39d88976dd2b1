"""A 360 summary as Markdown: one section per pool, a chart of its ratings, free text in hash
order.

The chart of a shown pool is a Pillow PNG (:mod:`teamassist.reviews.chart`, bars labelled
``Q1``…), followed by a table naming each ``Q`` with its average and a text bar (``████░``),
the same in the Markdown, the .docx and the PDF. A hidden pool prints one sentence and nothing
of its content (no chart either).
"""

from __future__ import annotations

from teamassist.i18n import t
from teamassist.reviews import chart
from teamassist.reviews.summary import PoolResult, Summary

BAR = 10  # characters of a full (5.0) bar


def pool_label(pool: str) -> str:
    """上级 / 同事 / 下属 / 自评 (keys spelled out for the catalogue check)."""
    labels = {
        "manager": t("reviews.pool.manager"),
        "peer": t("reviews.pool.peer"),
        "report": t("reviews.pool.report"),
        "self": t("reviews.pool.self"),
    }
    return labels.get(pool, pool)


def status_label(status: str) -> str:
    """待批准 / 待填写 / 已拒绝 / 已提交 / 已邀请 (asked: invited or submitted) / 已撤回."""
    labels = {
        "nominated": t("reviews.status.nominated"),
        "invited": t("reviews.status.invited"),
        "declined": t("reviews.status.declined"),
        "submitted": t("reviews.status.submitted"),
        "asked": t("reviews.status.asked"),
        "withdrawn": t("reviews.status.withdrawn"),
    }
    return labels.get(status, status)


def bar(average: float) -> str:
    """``4.2`` → ``████████░░`` (out of 5)."""
    full = round(max(0.0, min(average, 5.0)) / 5 * BAR)
    return "█" * full + "░" * (BAR - full)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _pool(result: PoolResult, k: int) -> list[str]:
    lines = [f"## {pool_label(result.pool)}", ""]
    if not result.shown:
        lines += [t("reviews.doc.hidden", k=k), ""]
        return lines
    lines += [t("reviews.doc.answers", count=result.answers), ""]
    if result.ratings:
        averages = [r.average for r in result.ratings]
        lines += [f"![{pool_label(result.pool)}]({chart.data_uri(averages)})", ""]
        lines += [t("reviews.doc.table_head"), "|---|---|---|---|"]
        for number, rating in enumerate(result.ratings, start=1):
            lines.append(
                f"| Q{number} | {_escape(rating.text)} | {rating.average:.2f} "
                f"| `{bar(rating.average)}` |"
            )
        lines.append("")
    for texts in result.texts:
        lines += [f"### {_escape(texts.text)}", ""]
        lines += [f"- {_escape(answer)}" for answer in texts.answers]
        lines.append("")
    return lines


def markdown(summary: Summary) -> str:
    """The whole summary: title, the rule in one line, then each pool."""
    lines = [
        f"# {t('reviews.doc.title', name=summary.reviewee.display_name, cycle=summary.cycle.name)}",
        "",
        t("reviews.doc.rule", k=summary.k),
        "",
    ]
    for result in summary.pools:
        lines += _pool(result, summary.k)
    return "\n".join(lines).rstrip() + "\n"
