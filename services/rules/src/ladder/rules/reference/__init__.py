"""Reference data (基础数据) the quota rules read: tables a ministry user uploads, versioned.

The national notice sets quotas by facts it does not publish itself (the 2024 industrial
value-added ranking, the 2024 count of 卓越级 factories); they are data with a source and a
version, so a corrected table is a new version and every answer says which one it used.
"""
