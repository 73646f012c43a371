"""The campaigns (申报批次) as the declaration service announces them (`campaign.changed`): which
公示 period and which 领航级 cultivation period each year uses."""
