// Each provider's own error JSON, so every official SDK shows the gateway's message, with v1's code
// string kept in the field that shape has for a machine-readable cause. Pure data: used for the
// proxy's error answers (src/proxy/error-shape.ts) and for in-band stream errors.

export type ErrorShape = 'openai' | 'anthropic' | 'gemini'

// OpenAI: the SDK reads `error.message`, and `error.type`/`error.code` into its APIError.
const OPENAI_TYPES: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
}
const openaiType = (status: number) =>
  OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')

// Anthropic's documented error types (docs.anthropic.com, "Errors"). The SDK reads the code from
// `error.details.error_code` into APIError.errorCode.
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
}
const anthropicType = (status: number) =>
  ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')

// google.rpc.Code names as Google APIs map them to HTTP statuses (google/rpc/code.proto). The
// code goes in a google.rpc.ErrorInfo's `reason`, as Google's own APIs put theirs.
const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}
const grpcStatus = (status: number) =>
  GRPC_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION')

export const toErrorBody = (
  shape: ErrorShape,
  status: number,
  code: string,
  message: string,
): object => {
  if (shape === 'anthropic') {
    const error = { type: anthropicType(status), message, details: { error_code: code } }
    return { type: 'error', error }
  }
  if (shape === 'gemini') {
    const info = {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: code,
      domain: 'edgeload',
    }
    return { error: { code: status, message, status: grpcStatus(status), details: [info] } }
  }
  return { error: { message, type: openaiType(status), code } }
}
