"""The feishu platform adapter."""

from teamassist.adapters.feishu import sdk_packages

# Before any module here imports a lark_oapi name: the SDK's package-wide imports cost ~11 CPU
# seconds and ~170 MiB (see sdk.py).
sdk_packages.defer()
