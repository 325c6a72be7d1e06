"""Everything that changes the Party app's state, one module per sub-domain:

- `chain`: the five-level organisation chain, its members and contacts;
- `alliances`: alliances, member units, in-service members, joint projects and reports;
- `time_bank`: volunteers, activities, sign-ups, the points ledger, rewards and redemptions;
- `windows`: social workers, qualifications, duty shifts, the rota and window services.

Every function is keyword-only, takes the acting user as `actor` (never None: scripts pass
grids.access.SYSTEM), asks party.policy whether it may act, and records who did it.
"""
