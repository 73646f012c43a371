"""The campaigns (申报批次) as the declaration service announces them (`campaign.changed`): which
quota policy each year uses."""
