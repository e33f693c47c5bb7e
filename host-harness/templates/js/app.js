// The component's entry point: `host-harness build` bundles this module
// with jco into a component whose `pick` runs the policy.
import { exportPolicy } from 'emailgen-policy/component';

import { Conversational } from './policy.js';

export const pick = exportPolicy(Conversational);
