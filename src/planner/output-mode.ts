/**
 * The names of the planner's output modes, apart from their implementation (`output-format.ts`,
 * which loads the SDK), so the CLI can parse and list them without loading it.
 */

/** Ways to ask for the fragment, most constrained first. */
export const OUTPUT_MODES = ['structured', 'strict_tool', 'tool'] as const;

/**
 * - `structured`: the answer is the response text, constrained by `output_config.format`
 *   (structured outputs); `describe_handlers`, when offered, is a strict tool the model may call first.
 * - `strict_tool`: the answer is the input of `submit_fragment`, a `strict: true` tool.
 * - `tool`: the answer is the input of `submit_fragment`, forced with `tool_choice` and not
 *   constrained (models or endpoints without structured outputs; incompatible with thinking).
 */
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * Parses an output mode, or says which exist.
 * @example parseOutputMode('strict_tool') // 'strict_tool'
 */
export function parseOutputMode(text: string): OutputMode | null {
  return OUTPUT_MODES.find((m) => m === text.trim()) ?? null;
}
