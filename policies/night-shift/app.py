"""The component's entry point (`host-harness build policies/night-shift`)."""
from emailgen_policy.component import export

from policy import NightShift

WitWorld = export(NightShift)
