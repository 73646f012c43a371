"""Every table of the rules service, imported so alembic sees them all.

Editions of 要素条件 and quota policies are not tables: they are versioned data files shipped in
the package (`ladder/rules/editions/*.yaml`, `ladder/rules/quotas/policies/*.yaml`). The
reference tables the quotas read are (`reference_dataset`), which policy each campaign uses
(`campaign_quota_policy`, from `campaign.changed`), and the 揭榜单位 registry (`jiebang_unit`,
`jiebang_unit_event`), and the register's 卓越级 counts (`register_tier_count`, from
`recognition.tier_counts`).
"""

from ladder.rules import tables
from ladder.rules.campaigns.models import CampaignQuotaPolicy
from ladder.rules.jiebang.models import JiebangUnit, JiebangUnitEvent
from ladder.rules.reference.models import ReferenceDataset
from ladder.rules.tiercounts.models import RegisterTierCount

__all__ = [
    "CampaignQuotaPolicy",
    "JiebangUnit",
    "JiebangUnitEvent",
    "ReferenceDataset",
    "RegisterTierCount",
    "tables",
]
