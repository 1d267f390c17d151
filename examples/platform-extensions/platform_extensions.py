"""A platform team's additions, from its own repository, without forking goldenpath.

The payments team's checkout SLO (burn-rate alerts and runbooks generated), one cause alert
with its runbook, the organisation's own checkov check and an accepted finding of it (reason and
owner), and extra Helm values (Grafana with two replicas). `goldenpath runbooks` writes the runbooks; `goldenpath validate`
and `goldenpath alerts --check` check all of it exactly like goldenpath's own.
"""

from goldenpath.extensions import Extensions
from goldenpath.observability.alerts import Alert, RunbookText
from goldenpath.observability.slo import SLO, RatioSLI, Selector
from goldenpath.policies.suppressions import Suppression

CHECKOUT = SLO(
    name="checkout-availability", service="checkout", team="payments", objective=0.999,
    sli=RatioSLI(bad=Selector("http_requests_total", {"service": "checkout"}, {"code": "5.."}, {"code": "500"}),
                 total=(Selector("http_requests_total", {"service": "checkout"}),),
                 good_example=Selector("http_requests_total", {"service": "checkout", "code": "200"})),
    runbook="checkout-availability",
    runbook_text=RunbookText("Checkout fails requests.", "Customers cannot pay.",
                             ("Open the SLO dashboard and the checkout traces.",), ("Roll back the last checkout deploy.",)),
)

PAYMENT_QUEUE_BACKLOG = Alert(
    name="PaymentQueueBacklog",
    expr='sum(payment_queue_depth{service="checkout"}) > 1000',
    severity="ticket", team="payments", for_="15m",
    summary="The payment queue holds more than 1000 messages",
    runbook="payment-queue-backlog",
    runbook_text=RunbookText("Payments are waiting in the queue.", "Payments confirm late.",
                             ("Check the consumer's error rate and lag.",), ("Scale the consumer; fix the failing dependency.",)),
)

EXTENSIONS = Extensions(
    slos=(CHECKOUT,),
    alerts=(PAYMENT_QUEUE_BACKLOG,),
    # The organisation's own checkov checks, next to goldenpath's...
    checks_dirs=("policies",),
    # ...and an accepted finding of one, with its reason and owner (shown by `goldenpath validate`).
    suppressions=(
        Suppression("PAY_AWS_001", "platform telemetry (Loki chunks, Tempo blocks) is classified internal by "
                    "policy PLAT-7; the buckets carry no customer data", "platform-team",
                    stack="*-observability", construct_path="*-observability/observability/*-bucket/bucket"),
    ),
    helm_values={"kube-prometheus-stack": {"grafana": {"replicas": 2}}},
)
