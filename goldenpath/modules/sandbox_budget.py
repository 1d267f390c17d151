"""A sandbox's budget: spend filtered on its ``sandbox-id`` cost allocation tag, e-mails at the tier's notify
thresholds and at a forecast of 100%, and a budget action that attaches the deny-all policy to the sandbox's
role at the tier's deny threshold of actual spend (approval AUTOMATIC).

This is the backstop after spend data arrives; the permission boundary and the worst-case check act before.
Facts used (AWS Billing and Cost Management user guide and API reference):
- Budget actions run as a service role that AWS Budgets assumes ("Setting up a role for AWS Budgets to run
  budget actions", cost-management/latest/userguide/budgets-action-role); applying an IAM policy needs
  iam:AttachRolePolicy on the target role (the guide's example policy "Allow AWS Budgets to apply IAM
  policies and SCPs", billing-example-policies#example-budgets-IAM-SCP, grants Attach/Detach*Policy on *).
  Ours allows only Attach/DetachRolePolicy, only on this sandbox's role, only for its deny-all policy
  (``iam:PolicyARN``). Its trust carries the confused-deputy conditions the Cost Management user guide gives
  for Budgets ("Cross-service confused deputy prevention"): ``aws:SourceAccount`` and ``aws:SourceArn``
  ``arn:aws:budgets::<account>:budget/*`` (the guide: "must be" that form).
- At the deny threshold the budget also notifies the sandbox's spend-stop topic (``sandbox_spend_stop``), whose
  function stops what is running: a notification has at most one SNS subscriber and ten e-mail ones.
- A tag filter sees spend only once the tag is activated as a cost allocation tag (``user:sandbox-id``).
- Budgets' Start: "If you created your budget and didn't specify a start date, AWS defaults to the start
  of your chosen time period" (API TimePeriod); we give the lease's start and end explicitly. The CUSTOM
  time unit, which would be exactly the lease, is refused by hashicorp/aws 5.100 (measured with
  ``terraform validate``), so the period is ANNUALLY: one period covers any lease of up to 720 hours
  unless AWS resets annual budgets on 1 January (not documented either way; the README says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cdktn_provider_aws.budgets_budget import BudgetsBudget, BudgetsBudgetCostFilter, BudgetsBudgetNotification
from cdktn_provider_aws.budgets_budget_action import (
    BudgetsBudgetAction, BudgetsBudgetActionActionThreshold, BudgetsBudgetActionDefinition,
    BudgetsBudgetActionDefinitionIamActionDefinition, BudgetsBudgetActionSubscriber,
)
from cdktn_provider_aws.iam_policy import IamPolicy
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from goldenpath.config.model import BudgetThreshold
from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.errors import SynthError
from goldenpath.modules.sandbox_boundary import PLATFORM_ROLE_PATH
from goldenpath.modules.sandbox_spend_stop import SandboxSpendStop

BUDGETS_SERVICE = "budgets.amazonaws.com"
BUDGET_TIME_UNIT = "ANNUALLY"
COST_ALLOCATION_TAG = "sandbox-id"


def budget_time(moment: datetime) -> str:
    """The provider's time format for budgets (``2006-01-02_15:04``, UTC)."""
    return moment.strftime("%Y-%m-%d_%H:%M")


@dataclass(frozen=True)
class SandboxBudgetProps:
    sandbox_id: str
    limit_usd: Decimal
    """The tier's max_spend_usd: 100% of the budget."""
    thresholds: tuple[BudgetThreshold, ...]
    """Exactly one ``deny`` (the action); the ``notify`` ones become e-mail notifications."""
    subscribers: tuple[str, ...]
    """E-mail addresses told at every threshold and of the action (at least one)."""
    starts_at: datetime
    ends_at: datetime
    role: IamRole
    """The sandbox's role: the action attaches ``deny_all`` to it."""
    deny_all: IamPolicy
    account_id: str
    """The account of the budget (the sandbox account): the action role's confused-deputy conditions name it."""
    spend_stop: SandboxSpendStop | None = None
    """Notified at the deny threshold, to stop what is running. Default: none (only new calls are denied)."""
    tags: dict[str, str] | None = None
    """Default: the stack's default tags only."""


class SandboxBudget(Construct):
    def __init__(self, scope: Construct, id_: str, props: SandboxBudgetProps):
        super().__init__(scope, id_)
        _check(props)
        name = f"sandbox-{props.sandbox_id}"
        notify = sorted(t.percent for t in props.thresholds if t.action == "notify")
        deny = next(t.percent for t in props.thresholds if t.action == "deny")
        emails = sorted(props.subscribers)
        self.budget = BudgetsBudget(
            self, "budget", name=name, budget_type="COST", limit_amount=str(props.limit_usd), limit_unit="USD",
            time_unit=BUDGET_TIME_UNIT, time_period_start=budget_time(props.starts_at),
            time_period_end=budget_time(props.ends_at),
            cost_filter=[BudgetsBudgetCostFilter(name="TagKeyValue", values=[f"user:{COST_ALLOCATION_TAG}${props.sandbox_id}"])],
            notification=[*(_notification("ACTUAL", percent, emails) for percent in notify),
                          _notification("ACTUAL", deny, emails, props.spend_stop.topic.arn if props.spend_stop else None),
                          _notification("FORECASTED", 100, emails)],
            tags=props.tags,
        )
        self.execution_role = IamRole(self, "action-role", name=f"{name}-budget-action", path=PLATFORM_ROLE_PATH,
                                      description=f"AWS Budgets attaches the deny-all policy to {name}",
                                      assume_role_policy=budgets_trust(props.account_id), tags=props.tags)
        IamRolePolicy(self, "action-permissions", role=self.execution_role.name, name="apply-deny-all",
                      policy=action_permissions(props.role.arn, props.deny_all.arn))
        self.action = BudgetsBudgetAction(
            self, "deny-at-limit", budget_name=self.budget.name, action_type="APPLY_IAM_POLICY",
            approval_model="AUTOMATIC", notification_type="ACTUAL",
            action_threshold=BudgetsBudgetActionActionThreshold(action_threshold_type="PERCENTAGE",
                                                                action_threshold_value=deny),
            definition=BudgetsBudgetActionDefinition(iam_action_definition=BudgetsBudgetActionDefinitionIamActionDefinition(
                policy_arn=props.deny_all.arn, roles=[props.role.name])),
            execution_role_arn=self.execution_role.arn,
            subscriber=[BudgetsBudgetActionSubscriber(address=e, subscription_type="EMAIL") for e in emails],
            tags=props.tags,
        )


def action_permissions(role_arn: str, deny_all_arn: str) -> str:
    """Attach (and detach, when someone lifts the freeze) exactly the deny-all policy on exactly this role."""
    return policy_document(Statement(
        sid="ApplyDenyAllToSandboxRole", actions=("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
        resources=(role_arn,), conditions={"ArnEquals": {"iam:PolicyARN": deny_all_arn}},
    ))


def budgets_trust(account_id: str) -> str:
    """AWS Budgets may assume the action role only for this account's budgets."""
    return policy_document(Statement(
        actions=("sts:AssumeRole",), principals={"Service": [BUDGETS_SERVICE]},
        conditions={"StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{account_id}:budget/*"}}))


def _notification(kind: str, percent: int, emails: list[str], topic: str | None = None) -> BudgetsBudgetNotification:
    return BudgetsBudgetNotification(comparison_operator="GREATER_THAN", notification_type=kind, threshold=percent,
                                     threshold_type="PERCENTAGE", subscriber_email_addresses=emails,
                                     subscriber_sns_topic_arns=[topic] if topic else None)


def _check(props: SandboxBudgetProps) -> None:
    denies = [t for t in props.thresholds if t.action == "deny"]
    if len(denies) != 1:
        raise SynthError(f"sandbox {props.sandbox_id}: thresholds {[f'{t.percent}% {t.action}' for t in props.thresholds]}, "
                         "expected exactly one deny")
    if not props.subscribers:
        raise SynthError(f"sandbox {props.sandbox_id}: no subscribers, expected at least one e-mail address "
                         "(AWS Budgets requires one per notification and action)")
    if props.limit_usd <= 0:
        raise SynthError(f"sandbox {props.sandbox_id}: limit {props.limit_usd}, expected more than 0 USD")
    if props.ends_at <= props.starts_at:
        raise SynthError(f"sandbox {props.sandbox_id}: ends {props.ends_at.isoformat()}, expected after its start "
                         f"{props.starts_at.isoformat()}")
