"""SLA/dispatch integration fixtures: moto tables, a FixedClock wired into every service, and a
pump that turns new audit entries into the tracker's SQS events (as the publisher + rule would)."""

from tests.support.sla import sla, sla_page_size  # noqa: F401
