// What the worker serves and the CLI knows: package.json's "weft": { "registry" } points here.
import { defineRegistry } from '@weftworks/weft';
import { builtinHandlers } from '@weftworks/weft/catalog';
import { anthropicPlanner, scriptedPlanner } from '@weftworks/weft/planner';
import { greet } from './greet.js';
import { greetingsFragment } from './plan.js';
import { greetings } from './template.js';

export default defineRegistry({
  handlers: [...builtinHandlers, greet],
  templates: [greetings],
  planner: process.env['ANTHROPIC_API_KEY'] ? anthropicPlanner() : scriptedPlanner({ plan_greetings: [[greetingsFragment]] }),
});
