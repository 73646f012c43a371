"""Field types shared by the contracts (shape only: the producer validated the substance)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

Tier = Literal["basic", "advanced", "excellence", "pilot"]
"""基础级 / 先进级 / 卓越级 / 领航级."""

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    Field(description="GB/T 2260 six-digit administrative division code", examples=["350102"]),
]
USCC = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$"),
    Field(
        description="统一社会信用代码 (18 characters; check character validated by the producer)"
    ),
]
Fingerprint = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="SHA-256 (hex) of the submitted version's canonical content"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Unit = Annotated[
    str,
    StringConstraints(max_length=22, pattern=r"^([0-9]{6}|xpcc|soe:[0-9A-Z]{18})$"),
    Field(description="a recommending unit: a region code, `xpcc`, or `soe:<group USCC>`"),
]
Reason = Annotated[str, StringConstraints(max_length=2000)]
