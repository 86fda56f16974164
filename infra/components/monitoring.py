"""Monitoring: plain CloudWatch alarms to one SNS topic, and one dashboard (docs/decisions/0073-monitoring.md).

Alarms, each named `<prefix>-<what>` and sent to the topic (state ALARM and back to OK):

- every dead-letter queue holds a message (`dlq-<queue>`): a message the system gave up on;
- every function: unhandled errors, throttles, and `AwsPermissionDenied` (a role or key policy refused an
  AWS call: sat_common.dynamo answers 500 and counts it; only an operator can fix it);
- the API: 5xx answers and p99 latency; the WAF: a spike of blocked requests;
- the portal (decision 0088): its function's errors and throttles, its REST API's 5xx answers and its web ACL's
  spike of blocked requests; its 4xx, requests, latency and duration are on the dashboard;
- failed deliveries: trámite notifications that ended FALLIDA, SES bounce and complaint rates near the
  levels at which AWS reviews the account (5 % and 0.1 %).

The topic is KMS-encrypted (its own key; CloudWatch may use it) and refuses non-TLS publishers; the
operators' address comes from the context value `alarmEmail` (SNS asks it to confirm the subscription).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.components.common import cmk
from infra.config import StageConfig

PERIOD = Duration.minutes(5)
METRICS_NAMESPACE = "SatCcf"  # POWERTOOLS_METRICS_NAMESPACE of every function (functions.py)
API_5XX_PER_PERIOD = 5  # a few 503s during an AWS blip are expected; more is an incident
API_P99_LATENCY_MS = 3000
API_P99_PERIODS = 3  # 15 minutes in a row: a trend, not one slow cold start
WAF_BLOCKED_PER_PERIOD = 500
SES_BOUNCE_RATE = 0.05  # AWS reviews the account at 5 % (and may pause sending at 10 %)
SES_COMPLAINT_RATE = 0.001  # ... and at 0.1 % complaints (0.5 %)


@dataclass(frozen=True)
class Watched:
    """What the stack asks this construct to watch."""

    functions: Mapping[str, lambda_.Function]  # area -> function
    dead_letter_queues: Mapping[str, sqs.IQueue]  # short name -> DLQ
    rest_api: apigw.RestApi
    web_acl: wafv2.CfnWebACL
    portal_function: lambda_.Function | None = None
    portal_rest_api: apigw.RestApi | None = None
    portal_web_acl: wafv2.CfnWebACL | None = None


class Monitoring(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, watched: Watched) -> None:
        super().__init__(scope, id_)
        self._prefix = config.prefix
        self.key = cmk(
            self,
            "AlarmTopicKey",
            alias=f"alias/{config.prefix}-alarms",
            description=f"SAT-CCF {config.stage}: the alarm notifications topic",
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchPublishesAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"{config.prefix} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.email_subscription: sns.Subscription | None = None
        if config.alarm_email:
            self.email_subscription = self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        for name, queue in watched.dead_letter_queues.items():
            self._alarm(
                f"dlq-{name}",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                threshold=1,
                description=f"The {name} dead-letter queue holds messages: see docs/deploy.md, 'Alarms'.",
            )
        for area, function in watched.functions.items():
            self._alarm(
                f"{area}-errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"Unhandled errors in the {area} function.",
            )
            self._alarm(
                f"{area}-throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"The {area} function was throttled (account or reserved concurrency).",
            )
            self._alarm(
                f"{area}-permission-denied",
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name="AwsPermissionDenied",
                    dimensions_map={"service": area},
                    period=PERIOD,
                    statistic="Sum",
                ),
                threshold=1,
                description=f"AWS refused a call of the {area} function (role, key policy or disabled key).",
            )
        api = watched.rest_api
        self._alarm(
            "api-5xx",
            api.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=API_5XX_PER_PERIOD,
            description=f"{API_5XX_PER_PERIOD}+ answers 5xx in 5 minutes.",
        )
        self._alarm(
            "api-p99-latency",
            api.metric_latency(period=PERIOD, statistic="p99"),
            threshold=API_P99_LATENCY_MS,
            periods=API_P99_PERIODS,
            description=f"p99 latency over {API_P99_LATENCY_MS} ms for {API_P99_PERIODS * 5} minutes.",
        )
        self._alarm(
            "waf-blocked-spike",
            _blocked(watched.web_acl),
            threshold=WAF_BLOCKED_PER_PERIOD,
            description=f"The WAF blocked {WAF_BLOCKED_PER_PERIOD}+ requests in 5 minutes (an attack or a bad rule).",
        )
        self._watch_portal(watched)
        self._alarm(
            "notifications-failed",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="NotificationsFallida",
                dimensions_map={"service": "notifications"},
                period=PERIOD,
                statistic="Sum",
            ),
            threshold=1,
            description="A trámite notification ended FALLIDA (the CCF's endpoint kept failing; redrive it).",
        )
        for metric_name, threshold, what in (
            ("Reputation.BounceRate", SES_BOUNCE_RATE, "bounce"),
            ("Reputation.ComplaintRate", SES_COMPLAINT_RATE, "complaint"),
        ):
            self._alarm(
                f"ses-{what}-rate",
                cloudwatch.Metric(namespace="AWS/SES", metric_name=metric_name, period=PERIOD, statistic="Maximum"),
                threshold=threshold,
                description=f"The account's SES {what} rate is near the level at which AWS reviews the account.",
            )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{config.prefix}-operations")
        functions = list(watched.functions.values())
        if watched.portal_function is not None:
            functions.append(watched.portal_function)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API: requests, 4xx, 5xx",
                left=[api.metric_count(period=PERIOD), api.metric_client_error(period=PERIOD)],
                right=[api.metric_server_error(period=PERIOD)],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="API latency (p50, p99)",
                left=[api.metric_latency(period=PERIOD, statistic=s) for s in ("p50", "p99")],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function errors", left=[f.metric_errors(period=PERIOD) for f in functions], width=12
            ),
            cloudwatch.GraphWidget(
                title="Function duration p99",
                left=[f.metric_duration(period=PERIOD, statistic="p99") for f in functions],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Dead-letter queues (messages)",
                left=[
                    q.metric_approximate_number_of_messages_visible(period=PERIOD, label=name)
                    for name, q in watched.dead_letter_queues.items()
                ],
                width=12,
            ),
            *self._portal_widgets(watched),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=12, height=8),
        )

    def _watch_portal(self, watched: Watched) -> None:
        """The portal the same way as the API (decision 0088): no AwsPermissionDenied alarm, as the portal's
        function does not emit that metric (it answers an error page, counted in its errors)."""
        if watched.portal_function is not None:
            self._alarm(
                "portal-errors",
                watched.portal_function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=1,
                description="Unhandled errors in the portal function (people see the error page).",
            )
            self._alarm(
                "portal-throttles",
                watched.portal_function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=1,
                description="The portal function was throttled (account or reserved concurrency).",
            )
        if watched.portal_rest_api is not None:
            self._alarm(
                "portal-api-5xx",
                watched.portal_rest_api.metric_server_error(period=PERIOD, statistic="Sum"),
                threshold=API_5XX_PER_PERIOD,
                description=f"The portal answered {API_5XX_PER_PERIOD}+ pages 5xx in 5 minutes.",
            )
        if watched.portal_web_acl is not None:
            self._alarm(
                "portal-waf-blocked-spike",
                _blocked(watched.portal_web_acl),
                threshold=WAF_BLOCKED_PER_PERIOD,
                description=f"The portal's WAF blocked {WAF_BLOCKED_PER_PERIOD}+ requests in 5 minutes.",
            )

    def _portal_widgets(self, watched: Watched) -> list[cloudwatch.IWidget]:
        widgets: list[cloudwatch.IWidget] = []
        portal = watched.portal_rest_api
        if portal is not None:
            widgets.append(
                cloudwatch.GraphWidget(
                    title="Portal: requests, 4xx, 5xx",
                    left=[portal.metric_count(period=PERIOD), portal.metric_client_error(period=PERIOD)],
                    right=[portal.metric_server_error(period=PERIOD)],
                    width=12,
                )
            )
        acls = [acl for acl in (watched.web_acl, watched.portal_web_acl) if acl is not None]
        widgets.append(
            cloudwatch.GraphWidget(
                title="WAF: blocked requests (API, portal)",
                left=[_blocked(acl, label=str(acl.name)) for acl in acls],
                width=12,
            )
        )
        return widgets

    def _alarm(
        self, name: str, metric: cloudwatch.IMetric, *, threshold: float, description: str, periods: int = 1
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            "Alarm-" + name,
            alarm_name=f"{self._prefix}-{name}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms[name] = alarm
        return alarm


def _blocked(web_acl: wafv2.CfnWebACL, label: str | None = None) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/WAFV2",
        metric_name="BlockedRequests",
        dimensions_map={"WebACL": str(web_acl.name), "Region": Aws.REGION, "Rule": "ALL"},
        period=PERIOD,
        statistic="Sum",
        label=label,
    )
