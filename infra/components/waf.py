"""WAFv2 web ACLs (REGIONAL): one in front of the API's stage, one in front of the portal's (decision 0088).

Both: AWS managed rules, a body size rule and a rate rule. The API's rate rules count each caller by its
connection address, except the portal's calls, which carry the portal's key and are counted by the person's
address the portal forwards (decision 0087). The portal's adds bot protection (CAPTCHA or Challenge, per stage)
on its public forms: registration, password reset and sign-in (manual §5 Paso 5, "imagen de validación").
"""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
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

# The portal's forwarding (decision 0080): X-Portal-Key vouches for X-Portal-Client-Ip (functions/portal/api_client.py).
PORTAL_KEY_HEADER = "x-portal-key"
PORTAL_CLIENT_IP_HEADER = "X-Portal-Client-Ip"

# The portal's public forms (functions/portal/handler.py ROUTES). WAF sees `/<stage>/<page>` on the stage URL and
# `/<page>` behind a custom domain. The GET serves the puzzle (AWS WAF can only show it in answer to a GET that
# accepts text/html); the POST only checks the token obtained there (decision 0088).
BOT_PROTECTED_PAGES = ("registro", "olvide-contrasena", "ingreso")
BOT_PROTECTED_PATHS = r"^(/[A-Za-z0-9_-]+)?/(" + "|".join(BOT_PROTECTED_PAGES) + r")$"
BOT_PROTECTED_METHODS = ("GET", "POST")
# A CAPTCHA solved on the form's GET is good for the form's POSTs for this long: registration takes several posts
# (Pasos 2-4), and 30 minutes is also the portal session's idle limit (decision 0080).
BOT_IMMUNITY_SECONDS = 1800


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _text(transform: str = "NONE") -> list[wafv2.CfnWebACL.TextTransformationProperty]:
    return [wafv2.CfnWebACL.TextTransformationProperty(priority=0, type=transform)]


def _managed_rules() -> list[wafv2.CfnWebACL.RuleProperty]:
    return [
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


def _body_size_rule(priority: int, exempt_paths: str | None) -> wafv2.CfnWebACL.RuleProperty:
    too_large = wafv2.CfnWebACL.StatementProperty(
        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
            comparison_operator="GT",
            size=BODY_LIMIT_BYTES,
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
            ),
            text_transformations=_text(),
        )
    )
    statement = too_large
    if exempt_paths is not None:
        statement = wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    too_large,
                    wafv2.CfnWebACL.StatementProperty(
                        not_statement=wafv2.CfnWebACL.NotStatementProperty(
                            statement=wafv2.CfnWebACL.StatementProperty(
                                regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                                    regex_string=exempt_paths,
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                                    text_transformations=_text(),
                                )
                            )
                        )
                    ),
                ]
            )
        )
    return wafv2.CfnWebACL.RuleProperty(
        name="BodySizeLimit",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=statement,
        visibility_config=_visibility("BodySizeLimit"),
    )


def _rate_rule(
    name: str,
    priority: int,
    limit: int,
    scope_down: wafv2.CfnWebACL.StatementProperty | None = None,
    forwarded_ip_header: str | None = None,
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit,
                aggregate_key_type="FORWARDED_IP" if forwarded_ip_header else "IP",
                # a portal call whose address is not an IP address is blocked, never left uncounted
                forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                    header_name=forwarded_ip_header, fallback_behavior="MATCH"
                )
                if forwarded_ip_header
                else None,
                evaluation_window_sec=300,
                scope_down_statement=scope_down,
            )
        ),
        visibility_config=_visibility(name),
    )


def _portal_key_matches(key: secretsmanager.ISecret) -> wafv2.CfnWebACL.StatementProperty:
    """X-Portal-Key equals the portal's forwarding key: CloudFormation resolves the dynamic reference at deploy
    time, so the value is in neither the template nor the code (decision 0087)."""
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": PORTAL_KEY_HEADER}),
            positional_constraint="EXACTLY",
            search_string=key.secret_value.unsafe_unwrap(),
            text_transformations=_text(),
        )
    )


def _web_acl(scope: Construct, name: str, rules: list[wafv2.CfnWebACL.RuleProperty]) -> wafv2.CfnWebACL:
    return wafv2.CfnWebACL(
        scope,
        "WebAcl",
        name=name,
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(name),
        rules=rules,
    )


def _logging(scope: Construct, config: StageConfig, web_acl: wafv2.CfnWebACL, suffix: str) -> logs.LogGroup:
    # WAF requires the log group name to start with "aws-waf-logs-" and the ARN without ":*".
    log_group_name = f"aws-waf-logs-{config.prefix}-{suffix}"
    log_group = logs.LogGroup(
        scope,
        "LogGroup",
        log_group_name=log_group_name,
        retention=retention(config.log_retention_days),
        removal_policy=RemovalPolicy.RETAIN,
    )
    logging = wafv2.CfnLoggingConfiguration(
        scope,
        "Logging",
        resource_arn=web_acl.attr_arn,
        log_destination_configs=[
            Stack.of(scope).format_arn(
                service="logs",
                resource="log-group",
                resource_name=log_group_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
        ],
        # secrets in headers: the people's tokens and sessions, the portal's forwarding key (decision 0087)
        redacted_fields=[
            wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": name})
            for name in ("authorization", "cookie", PORTAL_KEY_HEADER)
        ],
    )
    logging.node.add_dependency(log_group)
    return log_group


class Waf(Construct):
    """The API's web ACL. `portal_key`: the portal's forwarding key; its calls are counted per person."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: StageConfig,
        stage: apigw.Stage,
        portal_key: secretsmanager.ISecret | None = None,
    ) -> None:
        super().__init__(scope, id_)
        rules = _managed_rules()
        rules.append(_body_size_rule(len(rules), LARGE_BODY_PATHS))
        limit = config.waf_rate_limit_per_5min
        if portal_key is None:
            rules.append(_rate_rule("RatePerIp", len(rules), limit))
        else:
            from_portal = _portal_key_matches(portal_key)
            not_from_portal = wafv2.CfnWebACL.StatementProperty(
                not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=from_portal)
            )
            # anyone else, X-Portal-Client-Ip or not, is counted by the address of its connection
            rules.append(_rate_rule("RatePerIp", len(rules), limit, scope_down=not_from_portal))
            # the portal's calls: by the person's address it forwards, never as one shared address
            rules.append(
                _rate_rule(
                    "RatePerPortalPerson",
                    len(rules),
                    limit,
                    scope_down=from_portal,
                    forwarded_ip_header=PORTAL_CLIENT_IP_HEADER,
                )
            )
        self.web_acl = _web_acl(self, f"{config.prefix}-api", rules)
        wafv2.CfnWebACLAssociation(
            self, "StageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        self.log_group = _logging(self, config, self.web_acl, "api")


class PortalWaf(Construct):
    """The portal's web ACL (decision 0088): people are counted by the address of their connection, and the public
    forms ask for a CAPTCHA (or a silent Challenge) where the stage's `portalBotProtection` says so."""

    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, stage: apigw.Stage) -> None:
        super().__init__(scope, id_)
        rules = _managed_rules()
        rules.append(_body_size_rule(len(rules), None))  # the RUT goes straight to S3; no page takes 8 KB
        rules.append(_rate_rule("RatePerIp", len(rules), config.waf_rate_limit_per_5min))
        action = config.portal_bot_protection
        if action != "off":
            immunity = wafv2.CfnWebACL.ImmunityTimePropertyProperty(immunity_time=BOT_IMMUNITY_SECONDS)
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name="BotProtectionForms",
                    priority=len(rules),
                    action=wafv2.CfnWebACL.RuleActionProperty(**{action: {}}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        and_statement=wafv2.CfnWebACL.AndStatementProperty(
                            statements=[
                                wafv2.CfnWebACL.StatementProperty(
                                    regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                                        regex_string=BOT_PROTECTED_PATHS,
                                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                                        text_transformations=_text(),
                                    )
                                ),
                                wafv2.CfnWebACL.StatementProperty(
                                    regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                                        regex_string="^(" + "|".join(BOT_PROTECTED_METHODS) + ")$",
                                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                                        text_transformations=_text(),
                                    )
                                ),
                            ]
                        )
                    ),
                    visibility_config=_visibility("BotProtectionForms"),
                    captcha_config=wafv2.CfnWebACL.CaptchaConfigProperty(immunity_time_property=immunity)
                    if action == "captcha"
                    else None,
                    challenge_config=wafv2.CfnWebACL.ChallengeConfigProperty(immunity_time_property=immunity)
                    if action == "challenge"
                    else None,
                )
            )
        self.web_acl = _web_acl(self, f"{config.prefix}-portal", rules)
        wafv2.CfnWebACLAssociation(
            self, "StageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        self.log_group = _logging(self, config, self.web_acl, "portal")
