"""Bulk exports (导出) of what the review service lists: an authority's cases (its inbox, with
the inbox's filters) and the published lists (卓越级 名单 / 领航级 培育对象名单), as CSV, XLSX
or JSON, streamed from a server-side cursor (`ladder.kit.exports`)."""
