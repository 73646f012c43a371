"""评分: the reviewers' score sheets on a case and their aggregate."""
