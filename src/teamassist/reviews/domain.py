"""360 reviews (360评估) with anonymity enforced in the data, not only on screen."""

from __future__ import annotations

from teamassist.domain import Domain, assets_in
from teamassist.reviews import api, commands

DOMAIN = Domain(
    key="reviews",
    models=("teamassist.reviews.models",),
    commands=(commands.commands,),
    api=(api.router,),
    assets=assets_in("teamassist.reviews"),
)
