"""WAFv2 web ACL (REGIONAL) in front of the API stage: AWS managed rules + a per-IP rate rule."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.components.common import retention
from infra.config import StageConfig

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
# The common rule set blocks every body over 8 KB; the Ministry's catalog routes take OpenAPI documents
# up to the API's own limit (64 KB, sat_common.api.MAX_BODY_BYTES). Its size rule only counts, and
# BodySizeLimit blocks bodies over 8 KB on every other route (oversize bodies match: WAF inspects the
# first 16 KB in front of API Gateway).
BODY_LIMIT_BYTES = 8 * 1024
LARGE_BODY_PATHS = r"/admin/services(/[^/]+)?$"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class Waf(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, stage: apigw.Stage) -> None:
        super().__init__(scope, id_)
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name="SizeRestrictions_BODY", action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                        ]
                        if group == "AWSManagedRulesCommonRuleSet"
                        else None,
                    )
                ),
                visibility_config=_visibility(group),
            )
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="BodySizeLimit",
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    and_statement=wafv2.CfnWebACL.AndStatementProperty(
                        statements=[
                            wafv2.CfnWebACL.StatementProperty(
                                size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                                    comparison_operator="GT",
                                    size=BODY_LIMIT_BYTES,
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                        body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                                    ),
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                                    ],
                                )
                            ),
                            wafv2.CfnWebACL.StatementProperty(
                                not_statement=wafv2.CfnWebACL.NotStatementProperty(
                                    statement=wafv2.CfnWebACL.StatementProperty(
                                        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                                            regex_string=LARGE_BODY_PATHS,
                                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                                            text_transformations=[
                                                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                                            ],
                                        )
                                    )
                                )
                            ),
                        ]
                    )
                ),
                visibility_config=_visibility("BodySizeLimit"),
            )
        )
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RatePerIp",
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=config.waf_rate_limit_per_5min, aggregate_key_type="IP", evaluation_window_sec=300
                    )
                ),
                visibility_config=_visibility("RatePerIp"),
            )
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{config.prefix}-api",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{config.prefix}-api"),
            rules=rules,
        )
        wafv2.CfnWebACLAssociation(
            self, "StageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )

        # WAF requires the log group name to start with "aws-waf-logs-" and the ARN without ":*".
        log_group_name = f"aws-waf-logs-{config.prefix}-api"
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_group_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "cookie"}),
            ],
        )
        logging.node.add_dependency(self.log_group)

    def associate(self, id_: str, stage: apigw.Stage) -> None:
        """The same web ACL in front of another stage: the portal's (decision 0080)."""
        wafv2.CfnWebACLAssociation(self, id_, resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn)
