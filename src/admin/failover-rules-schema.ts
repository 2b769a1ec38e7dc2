// The `failover_rules` field of a group (issue 11 §6): checked here with messages that name the
// rule and the field; compiled for the proxy in src/proxy/failover-rules.ts.
import { z } from 'zod'
import { parseStatusSpec, unsafePattern } from '../proxy/failover-rules'

const status = z.union([z.number(), z.string()]).refine((s) => parseStatusSpec(s) !== null, {
  error: "must be an error status (400-999) or a range such as '500-599'",
})

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })

export const failoverRulesSchema = z
  .array(
    z.strictObject(
      {
        status,
        code: text(100).optional(),
        message: text(200).optional(),
        message_regex: text(200)
          .superRefine((p, ctx) => {
            const why = unsafePattern(p)
            if (why) ctx.addIssue({ code: 'custom', message: why })
          })
          .optional(),
        action: z.enum(['failover', 'return', 'key_fault'], {
          error: "must be 'failover', 'return' or 'key_fault'",
        }),
      },
      {
        error: (iss) =>
          iss.code === 'unrecognized_keys'
            ? `has an unknown field ${iss.keys.join(', ')} (allowed: status, code, message, message_regex, action)`
            : undefined,
      },
    ),
  )
  .max(50, { error: 'must have at most 50 rules' })
