"""The component's entry point: `host-harness build` makes this module a
component whose `pick` runs the policy."""
from emailgen_policy.component import export

from policy import Conversational

WitWorld = export(Conversational)
