"""IAM enforcement in the local runtime: each function's calls are checked against its own role.

- `policy`: the evaluator (Allow / explicit Deny / implicit deny, wildcards, conditions);
- `actions`: what each AWS call needs (`required(...)`), service-side KMS calls included;
- `roles`: a role's policy documents and the resource facts, read from the template;
- `guard`: the botocore hooks in a worker process (and the SQS poller) that deny calls as AWS would;
- `enforcement`: the runtime side (moto IAM roles, sts:AssumeRole credentials, per-function IAM files,
  the decision log and its summary).

See docs/local-runtime.md ("IAM enforcement") and docs/decisions/0012-local-iam-enforcement.md.
"""
