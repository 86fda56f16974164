"""ops' own data access (decision 0114): the operations only `python -m ops` performs (backfills, the first
administrator's bootstrap, an operator's lookups), with their DynamoDB expressions and keys from sat_common.keys.
Where a function's repository already names an operation (the registration area's accounts and profiles, the
catalog's services, the CCF summaries' shared services) ops calls that one, bound to the target's table
(ops.target.Target.store)."""
