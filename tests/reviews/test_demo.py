"""The demo workspace's finished 360 round: 张三's peers shown and released, 李四's two peer
answers shown to nobody (every backend: the demo is what people try first)."""

from __future__ import annotations

from teamassist.reviews import document, service, summary
from teamassist.runtime import Runtime
from tests.okr.support import demo


def test_demo_round(demo_runtime: Runtime) -> None:
    with demo(demo_runtime) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        now = demo_runtime.clock()
        assert not service.is_open(cycle, d.team, now)
        shown = summary.read(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            reader=d.member("zhangsan"),
            now=now,
        )
        peers = next(p for p in shown.pools if p.pool == "peer")
        assert shown.released and peers.shown and peers.answers == 4
        hidden = summary.read(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("lisi"),
            reader=d.member("admin"),
            now=now,
        )
        assert not next(p for p in hidden.pools if p.pool == "peer").shown
        text = document.markdown(hidden)
        assert "文档整理得好" not in text and "有时回复慢" not in text
