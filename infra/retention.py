"""A failed first deploy can be retried (docs/decisions/0074-retries-of-a-failed-first-deploy.md).

Tables, log groups and queues have fixed names and are kept when the stack is deleted. With CloudFormation's
`Retain`, the rollback of a failed *first* deploy keeps them too, and the retry then fails with "already
exists". `RetainExceptOnCreate` keeps them on update and delete but lets the rollback of their own creation
remove them. This aspect turns every `Retain` of the stack into it, so no construct can forget.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnDeletionPolicy, CfnResource, IAspect, RemovalPolicy
from constructs import IConstruct


@jsii.implements(IAspect)
class RetainExceptOnCreate:
    def visit(self, node: IConstruct) -> None:
        if isinstance(node, CfnResource) and node.cfn_options.deletion_policy == CfnDeletionPolicy.RETAIN:
            node.apply_removal_policy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
