// The component's entry point (`host-harness build policies/pen-pals`).
import { exportPolicy } from 'emailgen-policy/component';

import { PenPals } from './policy.js';

export const pick = exportPolicy(PenPals);
