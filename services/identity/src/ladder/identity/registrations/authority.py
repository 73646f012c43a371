"""Who decides on a registration, and who may read and decide on them.

The authority of an enterprise is the unit of the units registry (`ladder.kit.units`) that
holds the lowest level on the enterprise's path — its county or district (350102 鼓楼); where
the path has no county, the unit above: 平潭综合实验区 350128 holds the city level and has no
county below it, the XPCC's cities (6590xx) have only the XPCC, and a 管委会 that lists the
enterprise's USCC holds it instead of its district. The decision is made by the active
organisation of kind `unit` whose `region` is that unit's id (`Organisation.region`)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.callers import Caller
from ladder.identity.organisations.models import Organisation, OrgKind
from ladder.identity.registrations import repository
from ladder.identity.registrations.errors import NoAuthority
from ladder.kit.units import Unit, registry


def unit_for(region: str, uscc: str | None = None) -> Unit | None:
    """The registry's unit that approves an enterprise of `region` (and `uscc`)."""
    path = registry().path(region, uscc)
    return path[0] if path else None


async def organisation_for(session: AsyncSession, region: str, uscc: str) -> Organisation:
    """The authority organisation of a new registration, or 422 `no_authority`."""
    unit = unit_for(region, uscc)
    org = None if unit is None else await repository.active_unit(session, unit.id)
    if org is None:
        raise NoAuthority.for_region(region, None if unit is None else unit.id)
    return org


def is_authority(caller: Caller) -> bool:
    """A user (admin or member) of a unit organisation: it reads and decides the registrations
    filed with it."""
    return caller.org.kind == OrgKind.unit
