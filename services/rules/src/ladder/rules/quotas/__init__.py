"""Recommendation quotas (推荐名额): how many projects a recommending unit may put forward.

Policies are dated data per campaign (`policies/<campaign>.yaml`); the computation is a pure
function of a policy, a reference table and a unit (`compute.py`), so every branch is testable
without a database; the routes only fetch the reference table the computation asks for.
"""
